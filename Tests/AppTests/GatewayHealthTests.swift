import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App
@testable import Gateway

/// R-PL01-2.3.2: the platform collects the connection status of provider services at the agreed
/// interval, keeps it at least three months and warns consumers when a service is at risk.
@Suite struct GatewayHealthTests {
    static let services = "/api/v1/gateway/services"

    @Test func healthIsPolledAtTheAgreedIntervalStoredAndARiskIsNoticed() async throws {
        let upstream = try await Upstream.start()
        do {
            try await GatewayHarness.with { gw in
                let justice = try await gw.member("000.00.31.H49", "Sở Tư pháp tỉnh Đắk Lắk")
                let provider = try await gw.system(justice, "ho-tich")
                let health = try await gw.member("000.00.32.H49", "Sở Y tế tỉnh Đắk Lắk")
                let consumer = try await gw.system(health, "benh-an")
                let providerToken = try await gw.systemToken(provider)
                let consumerToken = try await gw.systemToken(consumer)
                // Bad probes are refused, by pointer.
                let bad = try await gw.json(.post, Self.services, bearer: providerToken, GatewayHarness.serviceBody(
                    system: provider, code: "ho-tich", version: "v1", upstream: "\(upstream.url)/api",
                    extra: #", "health": {"url": "ftp://x", "level": 3, "intervalSeconds": 1}"#
                ))
                #expect(Set(bad.json?["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } ?? []) == ["/health/url", "/health/level", "/health/intervalSeconds"])
                let service = try await gw.service(
                    system: provider, code: "ho-tich", upstream: "\(upstream.url)/api", bearer: providerToken,
                    extra: #", "health": {"url": "\#(upstream.url)/health", "level": 2, "intervalSeconds": 60}"#
                )
                // A draft is not polled; the consumer asks for access, so it hears of the service's troubles.
                let draft = try await gw.service(system: provider, code: "ho-tich-nhap", upstream: "\(upstream.url)/api", bearer: providerToken, publish: false,
                                                 extra: #", "health": {"url": "\#(upstream.url)/health", "level": 1, "intervalSeconds": 10}"#)
                let asked = try await gw.json(.post, "/api/v1/gateway/access-requests", bearer: consumerToken, GatewayGrantAPITests.requestBody(service))
                #expect(asked.status == .created, "\(GatewayHarness.text(asked))")

                let monitor = gw.platform.gateway.health
                let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
                let first = try await monitor.checkDue(now: start)
                #expect(first.map(\.serviceId) == [service])
                #expect(first.first?.outcome == .up && first.first?.httpStatus == 200)
                // Not due again before its interval; due after it.
                #expect(try await monitor.checkDue(now: start.addingTimeInterval(58)).isEmpty)
                #expect(try await monitor.checkDue(now: start.addingTimeInterval(60)).count == 1)
                #expect(upstream.requests.filter { $0.path == "/health" }.count == 2)

                // The health URL starts failing: a notice after three failures in a row, not before.
                let broken = try await gw.json(.patch, "\(Self.services)/\(service)", bearer: providerToken, #"{"health": {"url": "\#(upstream.url)/broken", "level": 2, "intervalSeconds": 60}}"#)
                #expect(broken.status == .ok, "\(GatewayHarness.text(broken))")
                for step in 2...3 { try await monitor.checkDue(now: start.addingTimeInterval(Double(60 * step))) }
                #expect(try await notices(gw, consumerToken).contains("health-risk") == false)
                let third = try await monitor.checkDue(now: start.addingTimeInterval(240))
                #expect(third.first?.outcome == .down && third.first?.httpStatus == 500 && third.first?.error == "status")
                #expect(try await notices(gw, consumerToken) == ["health-risk"])
                var status = try await gw.send(.get, "\(Self.services)/\(service)/health", bearer: consumerToken)
                #expect(status.status == .ok)
                #expect(status.json?["atRisk"]?.boolValue == true && status.json?["failuresInARow"]?.intValue == 3)
                // The operator's board: polled services, those at risk first; `?atRisk=true` only them.
                let healthy = try await gw.service(system: provider, code: "khai-sinh", upstream: "\(upstream.url)/api", bearer: providerToken,
                                                   extra: #", "health": {"url": "\#(upstream.url)/health", "level": 1, "intervalSeconds": 600}"#)
                try await monitor.checkDue(now: start.addingTimeInterval(241))
                let board = try await gw.send(.get, "/api/v1/gateway/health", bearer: gw.operatorToken)
                #expect(board.json?["items"]?.arrayValue?.map { $0["serviceId"]?.stringValue ?? "" } == [service, healthy])
                #expect(board.json?["items"]?.arrayValue?.map { $0["atRisk"]?.boolValue ?? false } == [true, false])
                let risky = try await gw.send(.get, "/api/v1/gateway/health?atRisk=true", bearer: gw.operatorToken)
                #expect(risky.json?["items"]?.arrayValue?.compactMap { $0["code"]?.stringValue } == ["ho-tich"])
                #expect(try await gw.send(.get, "/api/v1/gateway/health?atRisk=co", bearer: gw.operatorToken).status == .unprocessableContent)
                #expect(try await gw.send(.get, "/api/v1/gateway/health", bearer: consumerToken).status == .forbidden)
                // A fourth failure does not warn again; an unreachable URL is down too.
                let gone = try await gw.json(.patch, "\(Self.services)/\(service)", bearer: providerToken, #"{"health": {"url": "http://127.0.0.1:9/health", "level": 2, "intervalSeconds": 60}}"#)
                #expect(gone.status == .ok)
                let unreachable = try await monitor.checkDue(now: start.addingTimeInterval(300))
                #expect(unreachable.first?.error == "unreachable" && unreachable.first?.httpStatus == nil)
                #expect(try await notices(gw, consumerToken) == ["health-risk"])
                status = try await gw.send(.get, "\(Self.services)/\(service)/health", bearer: providerToken)
                #expect(status.json?["failuresInARow"]?.intValue == 4)

                // It answers again: recovered after two good checks in a row, noticed once.
                _ = try await gw.json(.patch, "\(Self.services)/\(service)", bearer: providerToken, #"{"health": {"url": "\#(upstream.url)/health", "level": 2, "intervalSeconds": 60}}"#)
                try await monitor.checkDue(now: start.addingTimeInterval(360))
                #expect(try await notices(gw, consumerToken) == ["health-risk"])
                try await monitor.checkDue(now: start.addingTimeInterval(420))
                #expect(try await notices(gw, consumerToken) == ["health-recovered", "health-risk"])
                status = try await gw.send(.get, "\(Self.services)/\(service)/health?limit=3", bearer: consumerToken)
                #expect(status.json?["atRisk"]?.boolValue == false)
                #expect(status.json?["items"]?.arrayValue?.map { $0["outcome"]?.stringValue ?? "" } == ["up", "up", "down"])
                #expect(status.json?["current"]?["outcome"]?.stringValue == "up")
                // The provider sees the same events in the service's history; the audit log has them.
                let events = try await gw.send(.get, "\(Self.services)/\(service)/events", bearer: providerToken)
                #expect(events.json?["items"]?.arrayValue?.compactMap { $0["event"]?.stringValue }.filter { $0.hasPrefix("health") } == ["health-risk", "health-recovered"])
                let audited = try await gw.platform.services.database.sql.raw(
                    "SELECT COUNT(*) AS n FROM audit_entries WHERE action IN ('gateway.service.health-risk', 'gateway.service.health-recovered') AND object_id = \(bind: service)"
                ).first()?.decode(column: "n", as: Int.self)
                #expect(audited == 2)
                // Parameters are checked; a draft's health is not the consumer's business.
                #expect(try await gw.send(.get, "\(Self.services)/\(service)/health?from=hôm-qua&limit=0", bearer: consumerToken).status == .unprocessableContent)
                #expect(try await gw.send(.get, "\(Self.services)/\(draft)/health", bearer: consumerToken).status == .notFound)
                #expect(try await gw.send(.get, "\(Self.services)/\(draft)/health", bearer: providerToken).json?["checks30d"]?.intValue == 0)

                // Two processes polling one database probe a due service once: each probe is claimed first.
                async let one = monitor.checkDue(now: start.addingTimeInterval(480))
                async let other = monitor.checkDue(now: start.addingTimeInterval(480))
                #expect(try await one.count + other.count == 1)
                // A suspended service is not polled (maintenance is not an outage).
                #expect(try await gw.json(.post, "\(Self.services)/\(service)/suspend", bearer: providerToken, #"{"reason": "Bảo trì"}"#).status == .ok)
                #expect(try await monitor.checkDue(now: start.addingTimeInterval(600)).isEmpty)

                // Kept at least three months: a purge 95 days on keeps every check, 101 days on none.
                #expect(try await monitor.purge(now: start.addingTimeInterval(95 * 86_400)) == 0)
                #expect(try await monitor.purge(now: start.addingTimeInterval(101 * 86_400)) == 10)
                #expect(try await gw.send(.get, "\(Self.services)/\(service)/health", bearer: providerToken).json?["items"]?.arrayValue?.isEmpty == true)
            }
        } catch {
            await upstream.stop()
            throw error
        }
        await upstream.stop()
    }

    @Test func aChangedProbeAppliesAtOnceOtherChangesKeepTheSchedule() async throws {
        let upstream = try await Upstream.start()
        do {
            try await GatewayHarness.with { gw in
                let justice = try await gw.member("000.00.31.H49", "Sở Tư pháp tỉnh Đắk Lắk")
                let provider = try await gw.system(justice, "ho-tich")
                let token = try await gw.systemToken(provider)
                let service = try await gw.service(
                    system: provider, code: "ho-tich", upstream: "\(upstream.url)/api", bearer: token,
                    extra: #", "health": {"url": "\#(upstream.url)/health", "level": 2, "intervalSeconds": 3600}"#
                )
                let monitor = gw.platform.gateway.health
                let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.up) + 1)
                #expect(try await monitor.checkDue(now: start).count == 1)
                #expect(try await monitor.checkDue(now: start.addingTimeInterval(60)).isEmpty)
                // Another field changes: the hourly schedule stands.
                #expect(try await gw.json(.patch, "\(Self.services)/\(service)", bearer: token, #"{"description": "Tra cứu hộ tịch"}"#).status == .ok)
                #expect(try await monitor.checkDue(now: start.addingTimeInterval(61)).isEmpty)
                // The interval drops to 30 s: checked at once, then every 30 s, not an hour after the last check.
                let faster = try await gw.json(.patch, "\(Self.services)/\(service)", bearer: token,
                                               #"{"health": {"url": "\#(upstream.url)/health", "level": 2, "intervalSeconds": 30}}"#)
                #expect(faster.status == .ok, "\(GatewayHarness.text(faster))")
                #expect(try await monitor.checkDue(now: start.addingTimeInterval(62)).count == 1)
                #expect(try await monitor.checkDue(now: start.addingTimeInterval(91)).isEmpty)
                #expect(try await monitor.checkDue(now: start.addingTimeInterval(92)).count == 1)
                #expect(upstream.requests.filter { $0.path == "/health" }.count == 3)
            }
        } catch {
            await upstream.stop()
            throw error
        }
        await upstream.stop()
    }

    /// The health notices the consumer holds, newest first.
    private func notices(_ gw: GatewayHarness, _ token: String) async throws -> [String] {
        let response = try await gw.send(.get, "/api/v1/gateway/notices", bearer: token)
        return response.json?["items"]?.arrayValue?.compactMap { $0["event"]?.stringValue }.filter { $0.hasPrefix("health") } ?? []
    }
}
