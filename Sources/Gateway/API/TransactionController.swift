import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/v1/gateway/transactions` (R-14.5, R-PL01-4): the transaction log by consumer, service and time,
/// as JSON pages or as CSV for reconciliation (đối soát). The operator reads everything; a system reads
/// the calls it made and the calls to its services. What is still queued is written first, so a query
/// sees every call answered before it.
struct TransactionController: Sendable {
    let store: TransactionStore
    let recorder: TransactionRecorder
    let members: MemberStore

    static let tags = ["Nhật ký giao dịch"]
    static let csvColumns = [
        "id", "at", "day", "requestId", "consumerSystemId", "consumer", "providerSystemId", "serviceId", "serviceCode", "version", "environment",
        "grantId", "method", "pathTemplate", "status", "errorType", "latencyMs", "upstreamMs", "bytesIn", "bytesOut", "requestSha256", "responseSha256",
    ]

    func register(on api: APIRouter) {
        api.addTag(Self.tags[0], description: "Mọi lời gọi qua trục kết nối: thời điểm, bên gọi, dịch vụ, kết quả, thời gian, dung lượng và mã băm SHA-256 của nội dung — không lưu nội dung.")
        let store = self.store
        let recorder = self.recorder
        let members = self.members
        let parameters = [
            APIParameter("consumerSystemId", in: .query, description: "Hệ thống gọi"), APIParameter("serviceId", in: .query, description: "Dịch vụ"),
            APIParameter("from", in: .query, description: "Từ thời điểm (ISO 8601, gồm)"), APIParameter("to", in: .query, description: "Đến thời điểm (ISO 8601, không gồm)"),
            APIParameter("after", in: .query, description: "Trang tiếp: các mục sau mã này"), APIParameter("limit", in: .query, description: "Tối đa 5000, mặc định 500"),
        ]
        let filter: @Sendable (Request, AppRequestContext) async throws -> TransactionStore.Filter = { request, context in
            let caller = try await GatewayCaller.resolve(context, members: members)
            let query = request.uri.queryParameters
            var filter = TransactionStore.Filter(
                consumerSystemId: query["consumerSystemId"].map(String.init), serviceId: query["serviceId"].map(String.init), involving: caller.system?.systemId
            )
            var errors: [Problem.FieldError] = []
            for (name, keyPath) in [("from", \TransactionStore.Filter.from), ("to", \TransactionStore.Filter.to)] {
                guard let text = query[Substring(name)].map(String.init) else { continue }
                guard let date = Timestamp.date(from: text) ?? VietnamTime.date(ofISODay: text) else {
                    errors.append(.init(pointer: "/query/\(name)", message: "Thời điểm dạng ISO 8601 hoặc YYYY-MM-DD."))
                    continue
                }
                filter[keyPath: keyPath] = Timestamp.string(from: date)
            }
            if let text = query["after"] {
                if let after = Int64(String(text)) { filter.after = after } else { errors.append(.init(pointer: "/query/after", message: "Số nguyên.")) }
            }
            if let text = query["limit"] {
                if let limit = Int(String(text)), (1...5000).contains(limit) { filter.limit = limit } else { errors.append(.init(pointer: "/query/limit", message: "Từ 1 đến 5000.")) }
            }
            guard errors.isEmpty else { throw Problem.validation(errors) }
            await recorder.flush()
            return filter
        }

        api.add(.get, "/api/v1/gateway/transactions", access: .authenticated, maxBodySize: 0, APIOperation(
            "listTransactions", summary: "Tra cứu nhật ký giao dịch theo bên gọi, dịch vụ, thời gian", tags: Self.tags, parameters: parameters,
            responses: [APIResponse(200, "Các mục, cũ trước; next: mã để lấy trang sau")]
        )) { request, context in
            let items = try await store.query(try await filter(request, context))
            return try JSONResponse.make(Page(items: items, next: items.count > 0 ? items.last?.id : nil))
        }

        api.add(.get, "/api/v1/gateway/transactions.csv", access: .authenticated, maxBodySize: 0, APIOperation(
            "exportTransactions", summary: "Xuất nhật ký giao dịch dạng CSV để đối soát (mọi trang, cũ trước)", tags: Self.tags,
            parameters: Array(parameters.prefix(4)), responses: [APIResponse(200, "CSV (UTF-8)", contentType: "text/csv")]
        )) { request, context in
            var first = try await filter(request, context)
            first.limit = 2000
            let start = first
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"giao-dich.csv\"", .cacheControl: "no-store"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "\u{FEFF}" + Self.csvColumns.joined(separator: ",") + "\r\n"))
                    var page = start
                    while true {
                        let items = try await store.query(page)
                        guard !items.isEmpty else { break }
                        try await writer.write(ByteBuffer(string: items.map(Self.csvLine).joined()))
                        page.after = items.last?.id
                        if items.count < page.limit { break }
                    }
                    try await writer.finish(nil)
                }
            )
        }
    }

    struct Page: Encodable, Sendable {
        let items: [Transaction]
        let next: Int64?
    }

    static func csvLine(_ entry: Transaction) -> String {
        let fields: [String?] = [
            entry.id.map(String.init), entry.at, entry.day, entry.requestId, entry.consumerSystemId, entry.consumer, entry.providerSystemId, entry.serviceId,
            entry.serviceCode, entry.version, entry.environment, entry.grantId, entry.method, entry.pathTemplate, String(entry.status), entry.errorType,
            String(format: "%.3f", entry.latencyMs), entry.upstreamMs.map { String(format: "%.3f", $0) }, String(entry.bytesIn), String(entry.bytesOut),
            entry.requestSha256, entry.responseSha256,
        ]
        return fields.map { csvField($0 ?? "") }.joined(separator: ",") + "\r\n"
    }

    /// RFC 4180, and a leading `=+-@` neutralised so a spreadsheet never runs it as a formula.
    static func csvField(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }
}
