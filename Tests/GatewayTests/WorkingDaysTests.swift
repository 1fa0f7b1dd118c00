import Core
import Foundation
import Testing

@testable import Gateway

/// R-PL01-3.2: access requests are answered within 5 working days — weekends and public holidays excluded.
@Suite struct WorkingDaysTests {
    /// 2026-04-23 (a Thursday) 15:00 in Vietnam.
    static let thursday = Date(timeIntervalSince1970: 1_776_931_200)

    static func vietnam(_ text: String) -> Date {
        let parts = text.split(separator: "-").map { Int($0)! }
        var components = DateComponents()
        (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
        return VietnamTime.calendar.date(from: components)!
    }

    @Test func fiveWorkingDaysSkipTheWeekendAndTheHolidays() {
        #expect(WorkingDays.key(Self.thursday) == "2026-04-23")
        let plain = WorkingDays(holidays: [])
        // Fri 24, Mon 27, Tue 28, Wed 29, Thu 30 → ends when Thursday 30 ends.
        #expect(plain.deadline(from: Self.thursday, workingDays: 5) == Self.vietnam("2026-05-01"))
        // 30 April and 1 May are holidays: Fri 24, Mon 27, Tue 28, Wed 29, Mon 4 May.
        let holidays = WorkingDays(holidays: WorkingDays.parse("2026-04-30, 2026-05-01")!)
        #expect(holidays.deadline(from: Self.thursday, workingDays: 5) == Self.vietnam("2026-05-05"))
        #expect(!holidays.isWorkingDay(Self.vietnam("2026-04-30")))
        #expect(!holidays.isWorkingDay(Self.vietnam("2026-04-25")))
        #expect(holidays.isWorkingDay(Self.vietnam("2026-04-24")))
        // Received on a Saturday: counting starts Monday.
        #expect(plain.deadline(from: Self.vietnam("2026-04-25").addingTimeInterval(3600), workingDays: 1) == Self.vietnam("2026-04-28"))
    }

    @Test func holidayListsAreChecked() {
        #expect(WorkingDays.parse("2026-02-30") == nil)
        #expect(WorkingDays.parse("2026-4-30") == nil)
        #expect(WorkingDays.parse("") == [])
        #expect(WorkingDays.parse("2026-09-02,2026-09-01") == ["2026-09-01", "2026-09-02"])
    }
}
