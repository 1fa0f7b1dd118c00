/// Walks the audit chain from the first entry and names the first one that was altered, removed or
/// moved (`lgsp audit verify`).
public struct AuditVerifier: Sendable {
    public let log: AuditLog
    public let pageSize: Int

    public init(log: AuditLog, pageSize: Int = 1000) {
        self.log = log
        self.pageSize = pageSize
    }

    public struct Report: Sendable, Equatable {
        public let entriesChecked: Int
        public let problem: AuditChainProblem?

        public var isIntact: Bool { problem == nil }
    }

    public func verify() async throws -> Report {
        var expectedSeq: Int64 = 1
        var previousHash = AuditEntry.genesisHash
        var checked = 0
        while true {
            let page = try await log.entries(after: expectedSeq - 1, limit: pageSize)
            for entry in page {
                if entry.seq != expectedSeq {
                    return Report(entriesChecked: checked, problem: .missing(seq: expectedSeq, nextPresent: entry.seq))
                }
                if !entry.isIntact {
                    return Report(entriesChecked: checked, problem: .altered(seq: entry.seq))
                }
                if entry.previousHash != previousHash {
                    return Report(entriesChecked: checked, problem: .linkBroken(seq: entry.seq))
                }
                previousHash = entry.hash
                expectedSeq += 1
                checked += 1
            }
            if page.count < pageSize { break }
        }
        let head = try await log.head()
        let lastSeq = expectedSeq - 1
        if head.seq > lastSeq {
            return Report(entriesChecked: checked, problem: .missing(seq: lastSeq + 1, nextPresent: nil))
        }
        if head.seq < lastSeq || head.hash != previousHash {
            return Report(entriesChecked: checked, problem: .headMismatch(headSeq: head.seq, lastSeq: lastSeq))
        }
        return Report(entriesChecked: checked, problem: nil)
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
        }
    }
}
