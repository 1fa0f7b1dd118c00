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

    /// Since 13 June 1975 Vietnam has kept UTC+7 without daylight saving time.
    static let fixedOffsetSince = Date(timeIntervalSince1970: 171_824_400)

    /// `YYYY-MM-DD` of `date` in Vietnam. (On every request path: computed from the fixed offset where the
    /// time zone has one, without Calendar or String(format:).)
    public static func isoDay(of date: Date) -> String {
        let year: Int, month: Int, day: Int
        if date >= fixedOffsetSince {
            var time = time_t(Int(date.timeIntervalSince1970.rounded(.down)) + 7 * 3600)
            var parts = tm()
            gmtime_r(&time, &parts)
            (year, month, day) = (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        } else {
            (year, month, day) = Self.day(of: date)
        }
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
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

    /// A comma-separated list of `YYYY-MM-DD` days (spaces allowed); nil when one is not a real date.
    public static func isoDays(_ list: String) -> Set<String>? {
        var days: Set<String> = []
        for item in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard date(ofISODay: item) != nil else { return nil }
            days.insert(item)
        }
        return days
    }
}
