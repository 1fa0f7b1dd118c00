import Core
import Foundation
import Hummingbird
import Prometheus

/// Health (levels 1 and 2, R-PL01-2.3.1) and Prometheus metrics.
struct SystemRoutes {
    let platform: Platform

    struct Level1Status: ResponseEncodable {
        let status: String
        let service: String
        let version: String
        let time: String
        let uptimeSeconds: Int
    }

    func register(on api: APIRouter) {
        api.addTag("system", description: "Trạng thái hệ thống và số liệu giám sát")
        let startedAt = platform.startedAt
        api.add(.get, "/health", access: .anonymous, maxBodySize: 0, APIOperation(
            "getHealth",
            summary: "Trạng thái mức 1: hệ thống đang chạy",
            description: "Trả lời ngay, không kiểm tra thành phần nào (Phụ lục 01, mục 2.3.1).",
            tags: ["system"],
            responses: [APIResponse(200, "Hệ thống đang chạy", schema: .ref("HealthLevel1"))]
        )) { _, _ in
            Level1Status(
                status: "up", service: "lgsp", version: LGSPVersion.current, time: Timestamp.now(),
                uptimeSeconds: Int((ContinuousClock.now - startedAt).components.seconds)
            )
        }
        api.addSchema("HealthLevel1", [
            "type": "object",
            "required": ["status", "service", "version", "time", "uptimeSeconds"],
            "properties": [
                "status": ["type": "string", "enum": ["up"]],
                "service": ["type": "string"],
                "version": ["type": "string"],
                "time": ["type": "string", "format": "date-time"],
                "uptimeSeconds": ["type": "integer"],
            ],
        ])

        let health = HealthService(checks: platform.healthChecks, timeout: platform.configuration.healthCheckTimeout, logger: platform.logger)
        api.add(.get, "/health/services", access: .anonymous, maxBodySize: 0, APIOperation(
            "getServiceHealth",
            summary: "Trạng thái mức 2: kiểm tra từng thành phần",
            description: "Kiểm tra thật cơ sở dữ liệu (một truy vấn) và kho tệp (ghi, đọc, xóa một tệp thử); trả 503 khi có thành phần không hoạt động.",
            tags: ["system"],
            responses: [
                APIResponse(200, "Mọi thành phần hoạt động", schema: .ref("HealthLevel2")),
                APIResponse(503, "Có thành phần không hoạt động", schema: .ref("HealthLevel2")),
            ]
        )) { request, context in
            let report = await health.report()
            var response = try context.responseEncoder.encode(report, from: request, context: context)
            response.status = report.status == .up ? .ok : .serviceUnavailable
            response.headers[.cacheControl] = "no-store"
            return response
        }
        api.addSchema("HealthLevel2", [
            "type": "object",
            "required": ["status", "time", "components"],
            "properties": [
                "status": ["type": "string", "enum": ["up", "down"]],
                "time": ["type": "string", "format": "date-time"],
                "components": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "required": ["name", "status", "latencyMs"],
                        "properties": [
                            "name": ["type": "string"],
                            "status": ["type": "string", "enum": ["up", "down"]],
                            "latencyMs": ["type": "number"],
                            "detail": ["type": "string"],
                        ],
                    ],
                ],
            ],
        ])

        let registry = platform.metrics
        // The audit chain's length, scraped: a chain wiped and restarted shows as a drop in the history
        // the monitoring system keeps outside this database.
        let auditHead = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "lgsp", metricName: "audit_head", unitName: "seq", helpText: "Số thứ tự bản ghi cuối của nhật ký kiểm toán"
        ))
        let audit = platform.services.audit
        api.add(.get, "/metrics", access: .scope("lgsp.metrics"), maxBodySize: 0, APIOperation(
            "getMetrics",
            summary: "Số liệu giám sát theo định dạng Prometheus (phạm vi lgsp.metrics)",
            description: "Prometheus lấy token bằng client_credentials (cấu hình oauth2 của scrape job).",
            tags: ["system"],
            responses: [APIResponse(200, "Số liệu dạng văn bản Prometheus", contentType: "text/plain; version=0.0.4", schema: ["type": "string"])]
        )) { _, _ in
            if let head = try? await audit.head() {
                auditHead.set(Double(head.seq))
            }
            var buffer = [UInt8]()
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
    }
}

extension HealthService.Report: ResponseEncodable {}
