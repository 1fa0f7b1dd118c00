import Foundation
import NIOConcurrencyHelpers

/// A calendar day, `YYYY-MM-DD`, as decisions state validity ("có hiệu lực từ ngày 01/7/2025"). Text
/// order is time order.
public struct Day: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let text: String

    /// Accepts exactly `YYYY-MM-DD` naming a real day of years 1000–9999.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0.element) }),
            let year = Int(text.prefix(4)), let month = Int(text.dropFirst(5).prefix(2)), let day = Int(text.suffix(2)),
            year >= 1000, (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year)
        else { return nil }
        self.text = text
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The day `date` falls on in Viet Nam (UTC+7, no daylight saving).
    public init(_ date: Date) {
        var time = time_t(Int(date.timeIntervalSince1970.rounded(.down)) + 7 * 3600)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        text = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
    }

    /// Today in Viet Nam, recomputed once a second at most (it is asked on every read).
    public static func today() -> Day {
        let now = Int(Date().timeIntervalSince1970)
        if let cached = todayCache.withLockedValue({ $0 }), cached.second == now { return cached.day }
        let day = Day(Date(timeIntervalSince1970: TimeInterval(now)))
        todayCache.withLockedValue { $0 = (now, day) }
        return day
    }

    private static let todayCache = NIOLockedValueBox<(second: Int, day: Day)?>(nil)

    public var description: String { text }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.text < rhs.text }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let day = Day(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "ngày phải có dạng YYYY-MM-DD và có thật")
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// A half-open validity window: from `from` (inclusive) to `to` (exclusive); either end may be open.
struct Validity: Sendable, Equatable {
    var from: Day?
    var to: Day?

    func contains(_ day: Day) -> Bool {
        (from.map { $0 <= day } ?? true) && (to.map { day < $0 } ?? true)
    }
}
