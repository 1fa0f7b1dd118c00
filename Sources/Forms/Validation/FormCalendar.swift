import Core
import Foundation

/// Days as the province counts them (Asia/Ho_Chi_Minh, UTC+7).
public enum FormCalendar {
    /// `YYYY-MM-DD` of `date` in Vietnam.
    public static func day(of date: Date) -> String {
        VietnamTime.isoDay(of: date)
    }

    public static func today() -> String { day(of: Date()) }

    /// `2024-03-05` → `05/03/2024`, as Vietnamese documents write dates.
    static func display(_ day: String) -> String {
        let parts = day.split(separator: "-")
        return parts.count == 3 ? "\(parts[2])/\(parts[1])/\(parts[0])" : day
    }
}
