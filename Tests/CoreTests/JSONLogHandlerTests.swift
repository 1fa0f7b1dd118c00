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
