import Core
import Foundation

/// Deadlines counted in working days, as the regulation counts them (R-PL01-3.2: an access request is
/// answered within 5 working days): from the day after receipt, Saturdays, Sundays and the configured
/// public holidays not counted, in Vietnam's calendar. The deadline is the end of the last working day.
struct WorkingDays: Sendable {
    /// Public holidays (and compensatory days off), `YYYY-MM-DD`.
    let holidays: Set<String>

    init(holidays: Set<String>) {
        self.holidays = holidays
    }

    static func key(_ date: Date) -> String { VietnamTime.isoDay(of: date) }

    func isWorkingDay(_ date: Date) -> Bool {
        let weekday = VietnamTime.calendar.component(.weekday, from: date)
        return weekday != 1 && weekday != 7 && !holidays.contains(Self.key(date))
    }

    /// The instant the `count`-th working day after the day of `received` ends (midnight in Vietnam).
    func deadline(from received: Date, workingDays count: Int) -> Date {
        let calendar = VietnamTime.calendar
        var day = calendar.startOfDay(for: received)
        var counted = 0
        while counted < count {
            day = calendar.date(byAdding: .day, value: 1, to: day)!
            if isWorkingDay(day) { counted += 1 }
        }
        return calendar.date(byAdding: .day, value: 1, to: day)!
    }

    /// Parses a comma-separated list of `YYYY-MM-DD` days; nil when one is not a date.
    static func parse(_ text: String) -> Set<String>? {
        VietnamTime.isoDays(text)
    }
}
