import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App
@testable import Gateway

/// R-11.2, R-PL01-3.2, R-PL01-3.3, R-PL01-3.5: access requests answered within 5 working days, grants
/// decided by the provider, deny by default.
@Suite struct GatewayGrantAPITests {
    static let requests = "/api/v1/gateway/access-requests"

    static func requestBody(_ service: String, environment: String = "test") -> String {
        #"""
        {"serviceId": "\#(service)", "environment": "\#(environment)", "purpose": "Tra cứu hộ tịch khi tiếp nhận hồ sơ khai sinh",
         "scopeOfUse": "Cán bộ một cửa cấp xã", "contact": {"name": "Trần Thị Mai", "email": "mai@syt.daklak.gov.vn", "phone": "0262 3852 222"}}
        """#
    }

    @Test func aRequestIsAnsweredWithin5WorkingDaysAndOnlyTheProviderDecides() async throws {
        try await GatewayHarness.with(configure: { $0.gateway.publicHolidays = ["2026-04-30", "2026-05-01"] }) { gw in
            let justice = try await gw.member("000.00.31.H49", "Sở Tư pháp tỉnh Đắk Lắk")
            let provider = try await gw.system(justice, "ho-tich")
            let health = try await gw.member("000.00.32.H49", "Sở Y tế tỉnh Đắk Lắk")
            let consumer = try await gw.system(health, "benh-an")
            let providerToken = try await gw.systemToken(provider)
            let consumerToken = try await gw.systemToken(consumer)
            let service = try await gw.service(system: provider, code: "ho-tich", upstream: "http://127.0.0.1:9/api", bearer: providerToken)

            // Filed on a Friday before the 30 April and 1 May holidays: Mon–Wed, (Thu, Fri off), Mon, Tue → ends Tuesday 5 May.
            let grants = gw.platform.gateway.grants
            let consumerCaller = try #require(try await gw.platform.gateway.members.store.binding(clientID: "\(consumer)-test".replacingOccurrences(of: "_", with: "-")))
            let friday = try #require(Timestamp.date(from: "2026-04-24T03:00:00Z"))
            let filed = try await grants.file(
                .init(serviceId: service, environment: .test, purpose: "Tra cứu hộ tịch khi tiếp nhận hồ sơ", scopeOfUse: "Một cửa cấp xã",
                      contact: .init(name: "Trần Thị Mai", role: nil, email: "mai@syt.daklak.gov.vn", phone: nil)),
                by: GatewayCaller(kind: .system(consumerCaller), subject: "benh-an", client: nil, requestID: nil), now: friday
            )
            #expect(Timestamp.date(from: filed.deadlineAt) == Timestamp.date(from: "2026-05-05T17:00:00Z"), "\(filed.deadlineAt)")
            // Overdue once the deadline has passed and still pending.
            #expect(try await grants.read(filed.id, by: .init(kind: .operator, subject: "x", client: nil, requestID: nil), now: Timestamp.date(from: "2026-05-05T16:59:00Z")!).overdue == false)
            #expect(try await grants.read(filed.id, by: .init(kind: .operator, subject: "x", client: nil, requestID: nil), now: Timestamp.date(from: "2026-05-05T17:00:01Z")!).overdue == true)
            let overdue = try await gw.send(.get, "\(Self.requests)?overdue=true", bearer: gw.operatorToken)
            #expect(overdue.json?["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [filed.id])
            // One open request per consumer, service and environment.
            #expect(try await gw.json(.post, Self.requests, bearer: consumerToken, Self.requestBody(service)).status == .conflict)
            // The consumer cannot approve its own request; another system does not even see it.
            #expect(try await gw.json(.post, "\(Self.requests)/\(filed.id)/approve", bearer: consumerToken, "{}").status == .forbidden)
            let bystander = try await gw.systemToken(try await gw.system(health, "thong-ke"))
            #expect(try await gw.send(.get, "\(Self.requests)/\(filed.id)", bearer: bystander).status == .notFound)
            // Refusing needs a reason; the consumer may withdraw instead.
            #expect(try await gw.json(.post, "\(Self.requests)/\(filed.id)/reject", bearer: providerToken, #"{"reason": ""}"#).status == .unprocessableContent)
            let withdrawn = try await gw.send(.post, "\(Self.requests)/\(filed.id)/withdraw", bearer: consumerToken)
            #expect(withdrawn.json?["status"]?.stringValue == "withdrawn")

            // A fresh request through the API: the provider approves it with limits; invalid limits are refused.
            let second = try await gw.json(.post, Self.requests, bearer: consumerToken, Self.requestBody(service))
            #expect(second.status == .created, "\(GatewayHarness.text(second))")
            let secondID = try #require(second.json?["id"]?.stringValue)
            #expect(second.json?["deadlineAt"]?.stringValue != nil && second.json?["overdue"]?.boolValue == false)
            let badLimits = try await gw.json(.post, "\(Self.requests)/\(secondID)/approve", bearer: providerToken, #"{"methods": ["FETCH"], "paths": ["records/../x"], "ratePerSecond": 0}"#)
            #expect(badLimits.status == .unprocessableContent)
            let approved = try await gw.json(.post, "\(Self.requests)/\(secondID)/approve", bearer: providerToken, #"{"methods": ["get"], "paths": ["/records/"], "ratePerSecond": 5, "burst": 10, "dailyQuota": 1000}"#)
            #expect(approved.status == .ok, "\(GatewayHarness.text(approved))")
            let grantID = try #require(approved.json?["grant"]?["id"]?.stringValue)
            #expect(approved.json?["grant"]?["paths"]?.arrayValue?.first?.stringValue == "/records")
            #expect(approved.json?["request"]?["status"]?.stringValue == "approved")
            #expect(try await gw.json(.post, "\(Self.requests)/\(secondID)/reject", bearer: providerToken, #"{"reason": "Đã trả lời rồi"}"#).status == .conflict)

            // Suspend and resume belong to the provider; the consumer may only give the grant up.
            #expect(try await gw.json(.post, "/api/v1/gateway/grants/\(grantID)/suspend", bearer: consumerToken, #"{"reason": "Thử tạm dừng"}"#).status == .forbidden)
            let suspended = try await gw.json(.post, "/api/v1/gateway/grants/\(grantID)/suspend", bearer: providerToken, #"{"reason": "Bảo trì hệ thống"}"#)
            #expect(suspended.json?["status"]?.stringValue == "suspended")
            #expect(try await gw.send(.post, "/api/v1/gateway/grants/\(grantID)/resume", bearer: providerToken).json?["status"]?.stringValue == "active")
            let mine = try await gw.send(.get, "/api/v1/gateway/grants", bearer: consumerToken)
            #expect(mine.json?["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [grantID])
            #expect(try await gw.send(.get, "/api/v1/gateway/grants", bearer: bystander).json?["items"]?.arrayValue?.isEmpty == true)

            // Stopping the service (after a 60-day notice) revokes the grant; consumers see the notices.
            let registry = gw.platform.gateway.registry
            let operatorCaller = GatewayCaller(kind: .operator, subject: "van-hanh", client: nil, requestID: nil)
            let retireAt = VietnamTime.calendar.date(byAdding: .day, value: 61, to: Date())!
            _ = try await registry.announceRetirement(service, .init(retireAt: VietnamTime.isoDay(of: retireAt), reason: "Chuyển sang dịch vụ hộ tịch quốc gia"), by: operatorCaller)
            #expect(try await gw.json(.post, Self.requests, bearer: bystander, Self.requestBody(service)).status == .conflict)
            #expect(try await registry.retireDue(now: VietnamTime.calendar.date(byAdding: .day, value: 1, to: retireAt)!) == 1)
            let revoked = try await gw.send(.get, "/api/v1/gateway/grants/\(grantID)", bearer: consumerToken)
            #expect(revoked.json?["status"]?.stringValue == "revoked")
            let notices = try await gw.send(.get, "/api/v1/gateway/notices", bearer: consumerToken)
            #expect(notices.json?["items"]?.arrayValue?.compactMap { $0["event"]?.stringValue } == ["retire", "retirement-notice", "publish"])
        }
    }
}
