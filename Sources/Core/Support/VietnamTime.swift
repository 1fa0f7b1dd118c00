import Foundation

/// Days and years as the province counts them: the Gregorian calendar in Asia/Ho_Chi_Minh (UTC+7).
public enum VietnamTime {
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? TimeZone(secondsFromGMT: 7 * 3600)!
        return calendar
    }()

    /// Year, month and day of `date` in Vietnam.
    public static func day(of date: Date) -> (year: Int, month: Int, day: Int) {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return (parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    /// `YYYY-MM-DD` of `date` in Vietnam.
    public static func isoDay(of date: Date) -> String {
        let (year, month, day) = day(of: date)
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// The start (midnight in Vietnam) of a `YYYY-MM-DD` day; nil when the text is not a real date.
    public static func date(ofISODay text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, day)
        guard let date = calendar.date(from: components), isoDay(of: date) == text else { return nil }
        return date
    }
}
