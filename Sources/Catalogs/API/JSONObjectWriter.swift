import NIOCore

/// Writes a flat JSON object straight into a buffer, for the hottest small answers (`$validate-code`)
/// where Foundation's encoder would cost more than the lookup. Fields are written in the order given;
/// nil values are left out.
struct JSONObjectWriter {
    private(set) var buffer: ByteBuffer
    private var empty = true

    init(capacity: Int = 256) {
        buffer = ByteBuffer()
        buffer.reserveCapacity(capacity)
        buffer.writeInteger(UInt8(ascii: "{"))
    }

    private mutating func key(_ name: String) {
        if !empty { buffer.writeInteger(UInt8(ascii: ",")) }
        empty = false
        Self.write(name, to: &buffer)
        buffer.writeInteger(UInt8(ascii: ":"))
    }

    mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        Self.write(value, to: &buffer)
    }

    mutating func field(_ name: String, _ value: Int?) {
        guard let value else { return }
        key(name)
        buffer.writeString(String(value))
    }

    mutating func field(_ name: String, _ value: Bool) {
        key(name)
        buffer.writeString(value ? "true" : "false")
    }

    mutating func finish() -> ByteBuffer {
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    /// A JSON string (RFC 8259 §7): quote, backslash and control characters escaped.
    static func write(_ string: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var pending = string.utf8.startIndex
        let utf8 = string.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                buffer.writeString(String(string[pending..<index]))
                switch byte {
                case UInt8(ascii: "\""): buffer.writeString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeString("\\\\")
                case UInt8(ascii: "\n"): buffer.writeString("\\n")
                case UInt8(ascii: "\r"): buffer.writeString("\\r")
                case UInt8(ascii: "\t"): buffer.writeString("\\t")
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
                pending = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        buffer.writeString(String(string[pending..<utf8.endIndex]))
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
