import Foundation

/// Days as the province counts them (Asia/Ho_Chi_Minh, UTC+7).
public enum FormCalendar {
    static let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? TimeZone(secondsFromGMT: 7 * 3600)!

    /// `YYYY-MM-DD` of `date` in Vietnam.
    public static func day(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    public static func today() -> String { day(of: Date()) }

    /// `2024-03-05` → `05/03/2024`, as Vietnamese documents write dates.
    static func display(_ day: String) -> String {
        let parts = day.split(separator: "-")
        return parts.count == 3 ? "\(parts[2])/\(parts[1])/\(parts[0])" : day
    }
}
