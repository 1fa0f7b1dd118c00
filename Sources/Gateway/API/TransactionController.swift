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
    let statistics: CallStatistics

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
            filter.from = QueryValue.instant(request, "from", errors: &errors)
            filter.to = QueryValue.instant(request, "to", errors: &errors)
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

    static let statsColumns = [
        "day", "serviceId", "serviceCode", "version", "consumerSystemId", "consumer", "calls", "succeeded", "clientErrors", "upstreamErrors", "refused",
        "latencyP50Ms", "latencyP95Ms", "latencyP99Ms", "bytesIn", "bytesOut",
    ]

    /// Statistics routes (R-17.13): `/api/v1/gateway/stats` and its CSV.
    func registerStatistics(on api: APIRouter) {
        let statistics = self.statistics
        let recorder = self.recorder
        let members = self.members
        let parameters = [
            APIParameter("from", in: .query, description: "Ngày đầu (YYYY-MM-DD, giờ Việt Nam); mặc định 6 ngày trước"),
            APIParameter("to", in: .query, description: "Ngày cuối (gồm); mặc định hôm nay; tối đa 92 ngày"),
            APIParameter("serviceId", in: .query, description: "Dịch vụ"), APIParameter("consumerSystemId", in: .query, description: "Hệ thống gọi"),
        ]
        let filter: @Sendable (Request, AppRequestContext) async throws -> CallStatistics.Filter = { request, context in
            let caller = try await GatewayCaller.resolve(context, members: members)
            let query = request.uri.queryParameters
            let today = VietnamTime.isoDay(of: Date())
            let to = query["to"].map(String.init) ?? today
            let from = query["from"].map(String.init) ?? VietnamTime.isoDay(of: VietnamTime.calendar.date(byAdding: .day, value: -6, to: VietnamTime.date(ofISODay: to) ?? Date())!)
            var errors: [Problem.FieldError] = []
            guard let start = VietnamTime.date(ofISODay: from) else { throw Problem.validation([.init(pointer: "/query/from", message: "Ngày dạng YYYY-MM-DD.")]) }
            guard let end = VietnamTime.date(ofISODay: to) else { throw Problem.validation([.init(pointer: "/query/to", message: "Ngày dạng YYYY-MM-DD.")]) }
            let days = VietnamTime.calendar.dateComponents([.day], from: start, to: end).day ?? 0
            if days < 0 { errors.append(.init(pointer: "/query/to", message: "Ngày cuối trước ngày đầu.")) }
            if days >= CallStatistics.maxDays { errors.append(.init(pointer: "/query/to", message: "Tối đa \(CallStatistics.maxDays) ngày mỗi lần.")) }
            guard errors.isEmpty else { throw Problem.validation(errors) }
            await recorder.flush()
            return CallStatistics.Filter(
                fromDay: from, toDay: to, serviceId: query["serviceId"].map(String.init), consumerSystemId: query["consumerSystemId"].map(String.init),
                involving: caller.system?.systemId
            )
        }

        api.add(.get, "/api/v1/gateway/stats", access: .authenticated, maxBodySize: 0, APIOperation(
            "getCallStatistics", summary: "Thống kê lời gọi theo dịch vụ, bên gọi và ngày: số lời gọi, lỗi theo loại, độ trễ p50/p95/p99, dung lượng", tags: Self.tags,
            parameters: parameters, responses: [APIResponse(200, "Các dòng thống kê")]
        )) { request, context in
            try JSONResponse.make(["items": try await statistics.rows(try await filter(request, context))])
        }

        api.add(.get, "/api/v1/gateway/stats.csv", access: .authenticated, maxBodySize: 0, APIOperation(
            "exportCallStatistics", summary: "Thống kê lời gọi dạng CSV (báo cáo định kỳ)", tags: Self.tags,
            parameters: parameters, responses: [APIResponse(200, "CSV (UTF-8)", contentType: "text/csv")]
        )) { request, context in
            let rows = try await statistics.rows(try await filter(request, context))
            var text = "\u{FEFF}" + Self.statsColumns.joined(separator: ",") + "\r\n"
            for row in rows {
                let fields: [String?] = [
                    row.day, row.serviceId, row.serviceCode, row.version, row.consumerSystemId, row.consumer, String(row.calls), String(row.succeeded),
                    String(row.clientErrors), String(row.upstreamErrors), String(row.refused), row.latencyP50Ms.map { String($0) },
                    row.latencyP95Ms.map { String($0) }, row.latencyP99Ms.map { String($0) }, String(row.bytesIn), String(row.bytesOut),
                ]
                text += fields.map { Self.csvField($0 ?? "") }.joined(separator: ",") + "\r\n"
            }
            return Response(
                status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"thong-ke.csv\"", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text))
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

    /// RFC 4180 (`CSVText`), and a leading `=+-@` neutralised so a spreadsheet never runs it as a formula.
    static func csvField(_ text: String) -> String {
        if let first = text.first, "=+-@".contains(first), Double(text) == nil { return CSVText.field("'" + text) }
        return CSVText.field(text)
    }
}
