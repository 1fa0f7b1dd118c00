#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// One JSON object a line (production): `time`, `level`, `logger`, `message`, then metadata by key.
///
/// Lines are written straight into a byte buffer (no Foundation JSON, no dictionaries of `Any`) and out
/// through `LogOutput`: the access log is on every request's path, and the platform's throughput depends
/// on it being cheap.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let output: (@Sendable (String) -> Void)?

    /// - Parameter output: where lines go; nil (the default): standard error through `LogOutput`
    ///   (batched; warnings and worse at once).
    public init(label: String, level: Logger.Level, output: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let reserved: Set<String> = ["time", "level", "logger", "message"]
    /// Hummingbird names the id it gives each request `hb.request.id`; our lines call it `request_id`
    /// (`PlatformMiddleware` puts a caller's valid `X-Request-Id` under the same key).
    static let hummingbirdRequestID = "hb.request.id"

    public func log(event: LogEvent) {
        // Later sources win: the handler's metadata, then the provider's, then the event's. Keys are
        // written in no particular order (JSON objects have none); no key is written twice.
        let provided = metadataProvider?.get()
        let extra = event.metadata
        var line: [UInt8] = []
        line.reserveCapacity(320)
        line.append(contentsOf: #"{"time":""#.utf8)
        Self.appendTimestamp(&line)
        line.append(contentsOf: #"","level":"#.utf8)
        Self.appendString(&line, event.level.rawValue)
        line.append(contentsOf: #","logger":"#.utf8)
        Self.appendString(&line, label)
        line.append(contentsOf: #","message":"#.utf8)
        Self.appendString(&line, event.message.description)
        func append(_ key: String, _ value: Logger.Metadata.Value) {
            guard !Self.reserved.contains(key) else { return }
            line.append(UInt8(ascii: ","))
            Self.appendString(&line, key == Self.hummingbirdRequestID ? "request_id" : key)
            line.append(UInt8(ascii: ":"))
            Self.appendValue(&line, value)
        }
        for (key, value) in metadata where extra?[key] == nil && provided?[key] == nil {
            append(key, value)
        }
        if let provided {
            for (key, value) in provided where extra?[key] == nil { append(key, value) }
        }
        if let extra {
            for (key, value) in extra { append(key, value) }
        }
        line.append(UInt8(ascii: "}"))
        if let output {
            output(String(decoding: line, as: UTF8.self))
        } else {
            LogOutput.standardError.write(line, urgent: event.level >= .warning)
        }
    }

    static func appendValue(_ line: inout [UInt8], _ value: Logger.Metadata.Value) {
        switch value {
        case .string(let string):
            appendString(&line, string)
        case .stringConvertible(let convertible):
            appendString(&line, convertible.description)
        case .array(let array):
            line.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                appendValue(&line, element)
            }
            line.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            line.append(UInt8(ascii: "{"))
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                appendString(&line, key)
                line.append(UInt8(ascii: ":"))
                appendValue(&line, dictionary[key]!)
            }
            line.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string (RFC 8259 §7): quote, backslash and control characters escaped, the rest as UTF-8.
    static func appendString(_ line: inout [UInt8], _ string: String) {
        line.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            // Runs of bytes that need no escaping are copied at once.
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F else { continue }
                if runStart < index { line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\n"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case UInt8(ascii: "\t"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            if runStart < bytes.count { line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
        line.append(UInt8(ascii: "\""))
    }

    /// `Timestamp`'s fixed-width UTC form, from the real-time clock.
    static func appendTimestamp(_ line: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                line.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        line.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        line.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        line.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        line.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        line.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        line.append(UInt8(ascii: "."))
        digits(Int(now.tv_nsec) / 1000, 6)
        line.append(UInt8(ascii: "Z"))
    }
}
