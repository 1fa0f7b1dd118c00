import Core
import Foundation
import Testing

@Suite struct TimestampTests {
    @Test func httpDatesAreIMFFixdate() {
        // RFC 9110 §5.6.7's own example, and a date of this project.
        #expect(Timestamp.httpDate(Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(Timestamp.httpDate(Timestamp.date(from: "2026-11-29T01:02:03.500000Z")!) == "Sun, 29 Nov 2026 01:02:03 GMT")
    }

    @Test func isoDayListsAreParsedOrRefusedWhole() {
        #expect(VietnamTime.isoDays(" 2026-04-30 ,2026-05-01,") == ["2026-04-30", "2026-05-01"])
        #expect(VietnamTime.isoDays("2026-04-30,2026-02-30") == nil)
    }
}
