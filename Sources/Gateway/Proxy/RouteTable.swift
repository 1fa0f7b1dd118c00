import Core
import Foundation
import HTTPTypes
import NIOConcurrencyHelpers

/// What the proxy needs on every call — the service behind `/gw/{code}/{version}`, the system behind a
/// client, the grant — kept in memory: dropped at once when this process changes the registry or the
/// grants (`GatewayChanges`), and re-read after `maxAge` so other processes' changes arrive too.
final class RouteTable: Sendable {
    static let maxAge: Double = 5

    /// A service as the proxy uses it.
    struct Route: Sendable {
        let service: RegisteredService
        /// The upstream secret, opened.
        let secret: String?
        /// OpenAPI path templates, split into segments (`nil` for a `{parameter}`).
        let templates: [(template: String, parts: [String?])]
        /// `Deprecation` (RFC 9745) and `Sunset` (RFC 8594) for every answer of a deprecated version.
        let deprecation: HTTPFields

        static func deprecationHeaders(_ service: RegisteredService) -> HTTPFields {
            var fields = HTTPFields()
            guard service.status == .deprecated else { return fields }
            if let deprecated = service.deprecatedAt.flatMap(Timestamp.date(from:)) {
                fields[HTTPField.Name("Deprecation")!] = "@\(Int(deprecated.timeIntervalSince1970))"
            }
            if let sunset = service.sunsetAt.flatMap(Timestamp.date(from:)) { fields[HTTPField.Name("Sunset")!] = Timestamp.httpDate(sunset) }
            return fields
        }
    }

    private struct Entry<Value: Sendable>: Sendable {
        let value: Value?
        let loaded: Double
    }

    private struct State: Sendable {
        var generation: UInt64 = .max
        var routes: [String: Entry<Route>] = [:]
        var bindings: [String: Entry<MemberStore.ClientBinding>] = [:]
        var grants: [String: Entry<Grant>] = [:]
    }

    private let state = NIOLockedValueBox(State())
    let services: ServiceStore
    let members: MemberStore
    let grants: GrantStore
    let masterKey: MasterKey
    let changes: GatewayChanges

    init(services: ServiceStore, members: MemberStore, grants: GrantStore, masterKey: MasterKey, changes: GatewayChanges) {
        self.services = services
        self.members = members
        self.grants = grants
        self.masterKey = masterKey
        self.changes = changes
    }

    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000 }

    private func cached<Value: Sendable>(_ key: String, _ path: WritableKeyPath<State, [String: Entry<Value>]>) -> Entry<Value>? {
        let generation = changes.current
        return state.withLockedValue { state in
            if state.generation != generation {
                state = State()
                state.generation = generation
                return nil
            }
            guard let entry = state[keyPath: path][key], Self.now() - entry.loaded < Self.maxAge else { return nil }
            return entry
        }
    }

    private func store<Value: Sendable>(_ value: Value?, _ key: String, _ path: WritableKeyPath<State, [String: Entry<Value>]>, generation: UInt64) {
        state.withLockedValue { state in
            guard state.generation == generation else { return }
            state[keyPath: path][key] = Entry(value: value, loaded: Self.now())
        }
    }

    func route(code: String, version: String) async throws -> Route? {
        let key = code + "/" + version
        if let entry = cached(key, \.routes) { return entry.value }
        let generation = changes.current
        var route: Route?
        if let service = try await services.service(code: code, version: version) {
            var secret: String?
            if service.upstreamAuth.hasSecret, let sealed = try await services.sealedSecret(service.id) {
                secret = String(decoding: try masterKey.open(sealed, purpose: ServiceRegistry.secretPurpose(service.id)), as: UTF8.self)
            }
            let templates = try await services.openAPI(service.id).map(OpenAPIDocumentCheck.pathTemplates) ?? []
            route = Route(
                service: service, secret: secret,
                templates: templates.map { template in
                    (template, template.split(separator: "/").map { part in part.hasPrefix("{") && part.hasSuffix("}") ? nil : String(part) })
                },
                deprecation: Route.deprecationHeaders(service)
            )
        }
        store(route, key, \.routes, generation: generation)
        return route
    }

    func binding(clientID: String) async throws -> MemberStore.ClientBinding? {
        if let entry = cached(clientID, \.bindings) { return entry.value }
        let generation = changes.current
        let binding = try await members.binding(clientID: clientID)
        store(binding, clientID, \.bindings, generation: generation)
        return binding
    }

    func grant(consumer: String, service: String, environment: Environment) async throws -> Grant? {
        let key = "\(consumer)|\(service)|\(environment.rawValue)"
        if let entry = cached(key, \.grants) { return entry.value }
        let generation = changes.current
        let grant = try await grants.liveGrant(consumer: consumer, service: service, environment: environment)
        store(grant, key, \.grants, generation: generation)
        return grant
    }

    /// The path as the log keeps it: the OpenAPI template it matches, or each segment holding a digit
    /// (identifiers, personal ids) replaced by `{…}`.
    static func template(_ segments: [String], route: Route) -> String {
        for (template, parts) in route.templates where parts.count == segments.count {
            if zip(parts, segments).allSatisfy({ part, segment in part == nil || part == segment }) { return template }
        }
        if segments.isEmpty { return "/" }
        return "/" + segments.map { segment in
            segment.count > 40 || segment.contains(where: \.isNumber) || segment.contains("@") ? "{…}" : segment
        }.joined(separator: "/")
    }
}
