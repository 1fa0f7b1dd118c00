import Foundation
import Logging
import Synchronization
import Testing

@testable import Core

@Suite struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func oneJSONObjectALineWithTheRequestID() throws {
        let output = Lines()
        var logger = Logger(label: "lgsp.test") { label in
            JSONLogHandler(label: label, level: .info, output: { output.append($0) })
        }
        logger[metadataKey: "request_id"] = "req-1"
        logger.info("HTTP GET /health 200", metadata: ["http.status": .stringConvertible(200), "tags": .array(["a", "b"])])
        logger.debug("below the level")
        logger.error("Lỗi \"có\" dấu\nhai dòng\u{1}\\", metadata: ["nested": .dictionary(["b": "2", "a": .array(["x"])]), "message": "không ghi đè"])

        let lines = output.all
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { !$0.contains("\n") })
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["message"] as? String == "HTTP GET /health 200")
        #expect(first["level"] as? String == "info")
        #expect(first["request_id"] as? String == "req-1")
        #expect(first["http.status"] as? String == "200")
        #expect(first["tags"] as? [String] == ["a", "b"])
        #expect(Timestamp.date(from: first["time"] as? String ?? "") != nil)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["message"] as? String == "Lỗi \"có\" dấu\nhai dòng\u{1}\\")
        #expect((second["nested"] as? [String: Any])?["b"] as? String == "2")
        #expect(((second["nested"] as? [String: Any])?["a"] as? [String]) == ["x"])
        // The timestamp is Timestamp's fixed-width form.
        #expect(!lines[0].contains("hb.request.id"))
        #expect((first["time"] as? String)?.count == Timestamp.now().count)
    }

    /// Hummingbird's per-request id comes out as `request_id`; DEL and runs around escapes survive.
    @Test func hummingbirdsRequestIDIsNamedRequestID() throws {
        let output = Lines()
        var logger = Logger(label: "lgsp.test") { label in
            JSONLogHandler(label: label, level: .info, output: { output.append($0) })
        }
        logger[metadataKey: "hb.request.id"] = "abc123"
        logger.info("trước\u{7F}sau \"giữa\" cuối", metadata: ["k": "v"])
        let line = try #require(output.all.first)
        #expect(!line.contains("hb.request.id"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["request_id"] as? String == "abc123")
        #expect(object["message"] as? String == "trước\u{7F}sau \"giữa\" cuối")
        #expect(object["k"] as? String == "v")
    }
}

@Suite struct LogOutputTests {
    /// Reads what is in the pipe now, without waiting.
    static func available(_ descriptor: Int32) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Info lines wait in the buffer; a warning writes them and itself, in order; the timer writes the rest.
    @Test func infoLinesAreBatchedAndAWarningWritesEverythingInOrder() async throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
        let output = LogOutput(descriptor: ends[1])
        output.write(Array("một".utf8), urgent: false)
        output.write(Array("hai".utf8), urgent: false)
        #expect(Self.available(ends[0]) == "")
        output.write(Array("ba (cảnh báo)".utf8), urgent: true)
        #expect(Self.available(ends[0]) == "một\nhai\nba (cảnh báo)\n")
        output.write(Array("bốn".utf8), urgent: false)
        var seen = ""
        for _ in 0..<50 where seen.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
            seen = Self.available(ends[0])
        }
        #expect(seen == "bốn\n", "written by the timer within 200 ms or so")
        output.write(Array(repeating: UInt8(ascii: "x"), count: 40 << 10), urgent: false)
        #expect(Self.available(ends[0]).count == (40 << 10) + 1, "a full buffer is written at once")
    }
}
