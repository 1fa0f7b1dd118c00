import Core
import Crypto
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Stand-ins for the national databases reached through NDXP (R-7.1d-info): the Population database
/// (a person by personal id), Business Registration (an enterprise by tax code) and Social Insurance
/// (a person's participation by personal id). Protected like the real ones by OAuth 2.0 client
/// credentials (`POST /ndxp/oauth/token`, opaque bearer tokens of 5 minutes). People are the synthetic
/// citizens of the identity stand-in; enterprises and insurance records are derived from them
/// deterministically — the same answers every run, none of them real.
public final class NationalDataServices: Sendable {
    public static let basePath = "/ndxp"
    public static let tokenLifetime: TimeInterval = 300

    public struct Client: Sendable {
        public let id: String
        public let secret: String

        public init(id: String, secret: String) {
            self.id = id
            self.secret = secret
        }
    }

    /// A citizen as the Population database answers: the stand-in's citizen and a nationality.
    public struct Person: Encodable, Sendable, Equatable {
        public let citizen: SimulatedCitizen
        public let nationality: String

        private enum Key: String, CodingKey { case nationality }

        public func encode(to encoder: any Encoder) throws {
            try citizen.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(nationality, forKey: .nationality)
        }
    }

    public struct Enterprise: Codable, Sendable, Equatable {
        public let taxCode: String
        public let name: String
        public let type: String
        public let registeredOn: String
        public let legalRepresentative: String
        public let legalRepresentativeId: String
        public let address: String
        public let status: String
    }

    public struct Insurance: Codable, Sendable, Equatable {
        public let personalId: String
        public let socialInsuranceCode: String
        public let participating: Bool
        public let healthInsuranceValidUntil: String?
        public let contributionMonths: Int
    }

    let people: [String: Person]
    public let enterprises: [Enterprise]
    let enterprisesByTaxCode: [String: Enterprise]
    let clients: [Client]
    private let tokens = NIOLockedValueBox<[String: (client: String, expires: Date)]>([:])

    public init(citizens: [SimulatedCitizen], clients: [Client]) {
        self.clients = clients
        var people: [String: Person] = [:]
        for citizen in citizens {
            people[citizen.personalId] = Person(citizen: citizen, nationality: "VN")
        }
        self.people = people
        let enterprises = Self.enterprises(from: citizens)
        self.enterprises = enterprises
        self.enterprisesByTaxCode = Dictionary(enterprises.map { ($0.taxCode, $0) }, uniquingKeysWith: { first, _ in first })
    }

    static let forms = ["Công ty TNHH", "Công ty Cổ phần", "Hợp tác xã", "Doanh nghiệp tư nhân"]
    static let trades = ["Cà phê", "Hồ tiêu", "Sầu riêng", "Nông sản", "Xây dựng", "Vận tải", "Du lịch", "Thương mại", "Ca cao", "Mắc ca"]
    static let places = ["Buôn Ma Thuột", "Ea H'leo", "Krông Pắc", "Cư M'gar", "Krông Năng", "Buôn Đôn", "Tây Nguyên", "Đắk Lắk"]
    static let streets = ["Lê Duẩn", "Phan Bội Châu", "Nguyễn Tất Thành", "Y Jút", "Hùng Vương", "Mai Hắc Đế"]

    /// Every third adult citizen owns one: tax codes `60` (Đắk Lắk) + eight digits from their personal id.
    static func enterprises(from citizens: [SimulatedCitizen]) -> [Enterprise] {
        var result: [Enterprise] = []
        for (index, citizen) in citizens.enumerated() where index % 3 == 0 && citizen.birthDate < "2006" {
            let digest = Array(SHA256.hash(data: Data(citizen.personalId.utf8)))
            let number = digest.prefix(4).reduce(0) { ($0 << 8) | Int($1) } % 100_000_000
            let digits = String(number)
            let taxCode = "60" + String(repeating: "0", count: 8 - digits.count) + digits
            let form = forms[Int(digest[4]) % forms.count]
            let year = 2005 + Int(digest[5]) % 20
            result.append(Enterprise(
                taxCode: taxCode, name: "\(form) \(trades[Int(digest[6]) % trades.count]) \(places[Int(digest[7]) % places.count])",
                type: form, registeredOn: String(format: "%04d-%02d-%02d", year, 1 + Int(digest[8]) % 12, 1 + Int(digest[9]) % 28),
                legalRepresentative: citizen.fullName, legalRepresentativeId: citizen.personalId,
                address: "\(1 + Int(digest[10]) % 300) \(streets[Int(digest[11]) % streets.count]), \(citizen.placeOfOrigin)",
                status: digest[12] % 10 == 0 ? "tạm ngừng kinh doanh" : "đang hoạt động"
            ))
        }
        return result
    }

    func insurance(_ person: Person) -> Insurance {
        let digest = Array(SHA256.hash(data: Data(("bhxh" + person.citizen.personalId).utf8)))
        let year = Int(person.citizen.birthDate.prefix(4)) ?? 1990
        let adult = (18...62).contains(2026 - year)
        let participating = adult && digest[0] % 4 != 0
        return Insurance(
            personalId: person.citizen.personalId, socialInsuranceCode: "66" + String(person.citizen.personalId.suffix(8)), participating: participating,
            healthInsuranceValidUntil: participating || !adult ? "2026-12-31" : nil, contributionMonths: participating ? 12 + Int(digest[1]) % 240 : 0
        )
    }

    public func addRoutes(to router: Router<BasicRequestContext>) {
        let base = Self.basePath
        router.post("\(base)/oauth/token") { request, _ in try await self.token(request) }
        router.get("\(base)/dan-cu/v1/cong-dan/:id") { request, context in
            try self.authorize(request)
            let id = try context.parameters.require("id")
            guard let person = self.people[id] else { return Self.problem(.notFound, "Không có công dân với số định danh \(id).") }
            return try Self.json(person)
        }
        router.get("\(base)/dang-ky-doanh-nghiep/v1/doanh-nghiep/:taxCode") { request, context in
            try self.authorize(request)
            let code = try context.parameters.require("taxCode")
            guard let enterprise = self.enterprisesByTaxCode[code] else { return Self.problem(.notFound, "Không có doanh nghiệp với mã số thuế \(code).") }
            return try Self.json(enterprise)
        }
        router.get("\(base)/bao-hiem-xa-hoi/v1/tham-gia/:id") { request, context in
            try self.authorize(request)
            let id = try context.parameters.require("id")
            guard let person = self.people[id] else { return Self.problem(.notFound, "Không có người tham gia với số định danh \(id).") }
            return try Self.json(self.insurance(person))
        }
    }

    struct Unauthorized: HTTPResponseError {
        var status: HTTPResponse.Status { .unauthorized }
        func response(from request: Request, context: some RequestContext) throws -> Response {
            Response(status: .unauthorized, headers: [.wwwAuthenticate: #"Bearer realm="ndxp""#, .contentType: "application/problem+json"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"title": "Chưa xác thực", "status": 401}"#)))
        }
    }

    func authorize(_ request: Request) throws {
        guard let token = BearerAuthorization.bearerToken(request.headers[.authorization]),
              let entry = tokens.withLockedValue({ $0[token] }), entry.expires > Date() else { throw Unauthorized() }
    }

    func token(_ request: Request) async throws -> Response {
        let form = FormFields(encoded: String(buffer: try await request.body.collect(upTo: 16 << 10)))
        let (id, secret) = SimulatedClientAuth.credentials(request, form: form)
        guard form["grant_type"] == "client_credentials" else { return Self.oauthError("unsupported_grant_type", status: .badRequest) }
        guard let id, let secret, let client = clients.first(where: { $0.id == id }), ConstantTime.equal(client.secret, secret) else {
            return Self.oauthError("invalid_client", status: .unauthorized)
        }
        let token = VDXPSimulator.random()
        tokens.withLockedValue { tokens in
            let now = Date()
            tokens = tokens.filter { $0.value.expires > now }
            tokens[token] = (client.id, now.addingTimeInterval(Self.tokenLifetime))
        }
        return try Self.json(TokenAnswer(access_token: token, token_type: "Bearer", expires_in: Int(Self.tokenLifetime)))
    }

    static func oauthError(_ code: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error": "\#(code)"}"#)))
    }

    static func problem(_ status: HTTPResponse.Status, _ detail: String) -> Response {
        let body = (try? JSONEncoder().encode(["title": status.reasonPhrase, "detail": detail])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/problem+json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    struct TokenAnswer: Encodable {
        let access_token: String
        let token_type: String
        let expires_in: Int
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
