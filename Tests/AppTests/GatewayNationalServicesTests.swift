import AsyncHTTPClient
import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LGSPTesting
import NIOCore
import Testing

@testable import App
@testable import Gateway
@testable import NationalSim

/// R-7.1d-info: the national databases behind NDXP (stand-ins) are registered as services whose upstream
/// is NDXP with the platform's credentials; agency systems query them through the same proxy, and every
/// query is logged like any other call.
@Suite struct GatewayNationalServicesTests {
    @Test func agencySystemsQueryPopulationBusinessAndInsuranceThroughTheGatewayWithThePlatformsNDXPCredentials() async throws {
        let citizens = try SimulatedCitizen.load(path: "seed-data/national-sim/citizens.json")
        let ndxp = NationalDataServices(citizens: citizens, clients: [.init(id: "lgsp-ndxp", secret: "bi-mat-ndxp")])
        let vdxp = VDXPSimulator(baseURL: "", citizens: citizens, clients: [], logger: TestDatabase.logger)
        let sim = try await NationalSimServer.start(vdxp, ndxp: ndxp, logger: TestDatabase.logger)
        defer { Task { await sim.stop() } }
        try await GatewayHarness.with { gw in
            // The stand-in is protected: no token, no data.
            let direct = try await HTTPProbe.get("\(sim.url)/ndxp/dan-cu/v1/cong-dan/\(citizens[0].personalId)")
            #expect(direct == 401)

            let national = try await gw.member("000.00.00.G01", "Trung tâm Dữ liệu quốc gia")
            let platform = try await gw.system(national, "ndxp")
            let auth = #", "upstreamAuth": {"kind": "oauth2", "tokenUrl": "\#(sim.url)/ndxp/oauth/token", "clientId": "lgsp-ndxp", "clientSecret": "bi-mat-ndxp"}"#
            var services: [String: String] = [:]
            for code in ["dan-cu", "dang-ky-doanh-nghiep", "bao-hiem-xa-hoi"] {
                services[code] = try await gw.service(system: platform, code: code, upstream: "\(sim.url)/ndxp/\(code)/v1", extra: auth)
            }
            let commune = try await gw.member("000.00.15.H49", "Ủy ban nhân dân phường Buôn Ma Thuột")
            let oneStop = try await gw.system(commune, "mot-cua")
            let token = try await gw.systemToken(oneStop)
            for service in services.values {
                let filed = try await gw.json(.post, "/api/v1/gateway/access-requests", bearer: token, GatewayGrantAPITests.requestBody(service))
                let request = try #require(filed.json?["id"]?.stringValue, "\(GatewayHarness.text(filed))")
                #expect(try await gw.json(.post, "/api/v1/gateway/access-requests/\(request)/approve", bearer: gw.operatorToken, #"{"methods": ["GET"]}"#).status == .ok)
            }

            let person = citizens[3]
            let found = try await gw.send(.get, "/gw/dan-cu/v1/cong-dan/\(person.personalId)", bearer: token)
            #expect(found.status == .ok, "\(GatewayHarness.text(found))")
            #expect(found.json?["fullName"]?.stringValue == person.fullName && found.json?["birthDate"]?.stringValue == person.birthDate)
            let enterprise = try #require(ndxp.enterprises.first)
            let business = try await gw.send(.get, "/gw/dang-ky-doanh-nghiep/v1/doanh-nghiep/\(enterprise.taxCode)", bearer: token)
            #expect(business.status == .ok && business.json?["name"]?.stringValue == enterprise.name && business.json?["legalRepresentative"]?.stringValue == enterprise.legalRepresentative)
            let insurance = try await gw.send(.get, "/gw/bao-hiem-xa-hoi/v1/tham-gia/\(person.personalId)", bearer: token)
            #expect(insurance.status == .ok && insurance.json?["socialInsuranceCode"]?.stringValue == "66" + person.personalId.suffix(8))
            #expect(try await gw.send(.get, "/gw/dan-cu/v1/cong-dan/000000000000", bearer: token).status == .notFound)

            // Logged like any call: consumer, service, the path without the personal id, digests, no content.
            let log = try await gw.send(.get, "/api/v1/gateway/transactions?consumerSystemId=\(oneStop)", bearer: gw.operatorToken)
            let entries = log.json?["items"]?.arrayValue ?? []
            #expect(entries.map { $0["serviceCode"]?.stringValue } == ["dan-cu", "dang-ky-doanh-nghiep", "bao-hiem-xa-hoi", "dan-cu"])
            #expect(entries.map { $0["status"]?.intValue } == [200, 200, 200, 404])
            #expect(entries.allSatisfy { $0["pathTemplate"]?.stringValue?.contains("{") == true && $0["responseSha256"]?.stringValue?.count == 64 })
            let text = GatewayHarness.text(log)
            #expect(!text.contains(person.personalId) && !text.contains(person.fullName) && !text.contains(enterprise.taxCode))
        }
    }
}

/// A plain GET over a real socket, for what must be checked outside the platform.
enum HTTPProbe {
    static func get(_ url: String) async throws -> Int {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }
}
