/// A duration written the way operators write it: `500ms`, `30s`, `5m`, `8h`, `7d` (a bare number is
/// seconds).
public struct DurationValue: Sendable, Hashable, CustomStringConvertible {
    public let duration: Duration

    public init(_ duration: Duration) {
        self.duration = duration
    }

    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int64(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let milliseconds: Int64
        switch unit {
        case "ms": milliseconds = 1
        case "", "s": milliseconds = 1000
        case "m", "min": milliseconds = 60_000
        case "h": milliseconds = 3_600_000
        case "d": milliseconds = 86_400_000
        default: return nil
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: milliseconds)
        guard !overflow else { return nil }
        self.duration = .milliseconds(product)
    }

    public var seconds: Int64 { duration.components.seconds }

    public var description: String {
        let (seconds, attoseconds) = duration.components
        if attoseconds != 0 || seconds == 0 { return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms" }
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}

import Foundation
