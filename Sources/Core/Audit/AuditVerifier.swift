import Crypto
import SQLKit

/// Walks the audit chain from the first entry and names the first one that was altered, removed, moved
/// or slipped in (`lgsp audit verify`). It reads one consistent snapshot, so entries appended while it
/// runs are neither missed nor mistaken for tampering.
public struct AuditVerifier: Sendable {
    public let log: AuditLog
    public let pageSize: Int

    public init(log: AuditLog, pageSize: Int = 1000) {
        self.log = log
        self.pageSize = pageSize
    }

    public struct Report: Sendable, Equatable {
        public let entriesChecked: Int
        /// The head verified against: operators can record it elsewhere and compare later (a chain
        /// wiped and restarted by someone with the owner's rights shows as a head that went back).
        public let headSeq: Int64
        public let headHash: String
        public let problem: AuditChainProblem?

        public var isIntact: Bool { problem == nil }
    }

    public func verify() async throws -> Report {
        let key = log.key
        let pageSize = self.pageSize
        return try await log.database.snapshot { connection in
            let head = try await AuditLog.head(on: connection)
            func report(_ checked: Int, _ problem: AuditChainProblem?) -> Report {
                Report(entriesChecked: checked, headSeq: head.seq, headHash: head.hash, problem: problem)
            }
            // Entries outside 1…head were slipped in: the chain never wrote them.
            let strays = try await connection.raw(
                "SELECT seq FROM audit_entries WHERE seq < 1 OR seq > \(bind: head.seq) ORDER BY seq LIMIT 1"
            ).first()
            var expectedSeq: Int64 = 1
            var previousHash = AuditEntry.genesisHash
            var checked = 0
            while expectedSeq <= head.seq {
                let page = try await AuditLog.entries(on: connection, after: expectedSeq - 1, through: head.seq, limit: pageSize)
                for entry in page {
                    if entry.seq != expectedSeq {
                        return report(checked, .missing(seq: expectedSeq, nextPresent: entry.seq))
                    }
                    if !entry.isIntact(key: key) {
                        return report(checked, .altered(seq: entry.seq))
                    }
                    if entry.previousHash != previousHash {
                        return report(checked, .linkBroken(seq: entry.seq))
                    }
                    previousHash = entry.hash
                    expectedSeq += 1
                    checked += 1
                }
                if page.isEmpty {
                    return report(checked, .missing(seq: expectedSeq, nextPresent: nil))
                }
            }
            if head.hash != previousHash {
                return report(checked, .headMismatch(headSeq: head.seq, lastSeq: expectedSeq - 1))
            }
            if let stray = strays {
                return report(checked, .unexpected(seq: try stray.decode(column: "seq", as: Int64.self)))
            }
            return report(checked, nil)
        }
    }
}

/// The first thing wrong with the chain.
public enum AuditChainProblem: Sendable, Equatable, CustomStringConvertible {
    /// The entry's content no longer matches its hash.
    case altered(seq: Int64)
    /// Entry `seq` is gone; `nextPresent` is the next one still there (nil: the chain ends early).
    case missing(seq: Int64, nextPresent: Int64?)
    /// The entry is intact but does not follow the one before it: entries were moved or replaced.
    case linkBroken(seq: Int64)
    /// The recorded head does not match the last entry.
    case headMismatch(headSeq: Int64, lastSeq: Int64)
    /// An entry the chain never wrote (numbered outside 1…head).
    case unexpected(seq: Int64)

    public var description: String {
        switch self {
        case .altered(let seq):
            return "Bản ghi #\(seq) đã bị sửa: nội dung không khớp với mã băm đã lưu."
        case .missing(let seq, let next?):
            return "Bản ghi #\(seq) đã bị xóa: sau #\(seq - 1) là #\(next)."
        case .missing(let seq, nil):
            return "Bản ghi #\(seq) trở về sau đã bị xóa: chuỗi kết thúc sớm hơn đầu chuỗi đã ghi."
        case .linkBroken(let seq):
            return "Bản ghi #\(seq) không nối tiếp bản ghi trước: thứ tự đã bị đảo hoặc bản ghi bị thay thế."
        case .headMismatch(let headSeq, let lastSeq):
            return "Đầu chuỗi ghi #\(headSeq) không khớp bản ghi cuối #\(lastSeq): nhật ký đã bị can thiệp."
        case .unexpected(let seq):
            return "Bản ghi #\(seq) không do chuỗi ghi ra (số thứ tự nằm ngoài chuỗi): đã bị chèn thêm."
        }
    }
}
