import Core
import Crypto
import Foundation
import JWTKit
import Logging
import NIOConcurrencyHelpers
import SQLKit

/// The ES256 keys tokens are signed with. They live in `sso_keys`, private keys sealed with a key derived
/// from the master key. One key is active (signs); retired keys stay published in the JWKS until every
/// token they signed has expired (`lgsp keys rotate`). Other processes sharing the database pick up a
/// rotation within `refreshInterval`, and at once when they meet a token with a key id they do not know.
public final class SigningKeys: Sendable {
    let database: Database
    let masterKey: MasterKey
    /// How long a retired key stays published: the longest token lifetime plus clock skew.
    let publishWindow: Duration
    let refreshInterval: Duration
    private let state: NIOLockedValueBox<State>

    static let sealPurpose = "lgsp/sso/signing-keys/v1"

    struct State: Sendable {
        var collection = JWTKeyCollection()
        var activeKID: String?
        var publishedKIDs: Set<String> = []
        var jwks = Data("{\"keys\":[]}".utf8)
        var loadedAt: ContinuousClock.Instant?
        var lastUnknownKIDReload: ContinuousClock.Instant?
    }

    public init(database: Database, masterKey: MasterKey, publishWindow: Duration, refreshInterval: Duration = .seconds(30)) {
        self.database = database
        self.masterKey = masterKey
        self.publishWindow = publishWindow
        self.refreshInterval = refreshInterval
        self.state = NIOLockedValueBox(State())
    }

    /// A published key, as `lgsp keys list` and the admin API show it.
    public struct KeyInfo: Sendable, Codable, Equatable {
        public let kid: String
        public let alg: String
        public let status: String
        public let createdAt: String
        public let retiredAt: String?
        public let publishUntil: String?
    }

    /// Loads the keys; creates the first one when there is none.
    public func load() async throws {
        if try await activeKeyCount() == 0 {
            try await createKey(retiringCurrent: false)
        }
        try await reload()
    }

    /// Makes a new active key; the previous one is retired and stays published for `publishWindow`.
    @discardableResult
    public func rotate() async throws -> KeyInfo {
        let info = try await createKey(retiringCurrent: true)
        try await reload()
        return info
    }

    public func list() async throws -> [KeyInfo] {
        let rows = try await database.sql.raw(
            "SELECT kid, alg, status, created_at, retired_at, publish_until FROM sso_keys ORDER BY created_at DESC"
        ).all()
        return try rows.map { row in
            KeyInfo(
                kid: try row.decode(column: "kid", as: String.self), alg: try row.decode(column: "alg", as: String.self),
                status: try row.decode(column: "status", as: String.self), createdAt: try row.decode(column: "created_at", as: String.self),
                retiredAt: try row.decode(column: "retired_at", as: String?.self),
                publishUntil: try row.decode(column: "publish_until", as: String?.self)
            )
        }
    }

    /// The JWKS document (public keys only).
    public func jwks() async throws -> Data {
        try await refreshIfStale()
        return state.withLockedValue { $0.jwks }
    }

    /// Signs `payload` with the active key; `type` goes in the header's `typ`.
    public func sign(_ payload: some JWTPayload, type: String) async throws -> String {
        try await refreshIfStale()
        let (collection, kid) = state.withLockedValue { ($0.collection, $0.activeKID) }
        guard let kid else { throw SigningKeyError.noActiveKey }
        var header = JWTHeader()
        header.typ = type
        return try await collection.sign(payload, kid: JWKIdentifier(string: kid), header: header)
    }

    /// Verifies the signature (and jwt-kit's claim checks) of a token signed by one of our published keys.
    /// Returns the payload and the header's `typ`.
    public func verify<Payload: JWTPayload>(_ token: String, as type: Payload.Type) async throws -> (Payload, String?) {
        let (payload, typ, _) = try await verifyWithKID(token, as: type)
        return (payload, typ)
    }

    /// Whether tokens signed by `kid` are still accepted (its public key is published).
    func isPublished(_ kid: String) -> Bool {
        state.withLockedValue { $0.publishedKIDs.contains(kid) }
    }

    /// `verify`, also returning the key id that signed it.
    func verifyWithKID<Payload: JWTPayload>(_ token: String, as type: Payload.Type) async throws -> (Payload, String?, String) {
        let header = try Self.header(of: token)
        guard header.alg == "ES256" else { throw SigningKeyError.unsupportedAlgorithm(header.alg ?? "none") }
        guard let kid = header.kid else { throw SigningKeyError.unknownKey }
        try await refreshIfStale()
        var known = state.withLockedValue { $0.publishedKIDs.contains(kid) }
        if !known, shouldReloadForUnknownKID() {
            try await reload()
            known = state.withLockedValue { $0.publishedKIDs.contains(kid) }
        }
        guard known else { throw SigningKeyError.unknownKey }
        let collection = state.withLockedValue { $0.collection }
        let payload = try await collection.verify(token, as: Payload.self)
        return (payload, header.typ, kid)
    }

    struct Header: Decodable {
        let alg: String?
        let kid: String?
        let typ: String?
    }

    static func header(of token: String) throws -> Header {
        // On the UTF-8 bytes: a JWT is ASCII, and splitting by Character walks grapheme clusters.
        let bytes = Array(token.utf8)
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URLEncoded: String(decoding: parts[0], as: UTF8.self)) else { throw SigningKeyError.malformed }
        do {
            return try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw SigningKeyError.malformed
        }
    }

    private func shouldReloadForUnknownKID() -> Bool {
        state.withLockedValue { state in
            if let last = state.lastUnknownKIDReload, ContinuousClock.now - last < .seconds(10) { return false }
            state.lastUnknownKIDReload = .now
            return true
        }
    }

    private func refreshIfStale() async throws {
        let stale = state.withLockedValue { state in
            state.loadedAt.map { ContinuousClock.now - $0 > refreshInterval } ?? true
        }
        if stale { try await reload() }
    }

    private func activeKeyCount() async throws -> Int {
        try await database.sql.raw("SELECT COUNT(*) AS n FROM sso_keys WHERE status = 'active'").first()!.decode(column: "n", as: Int.self)
    }

    /// Reads every published key and swaps in a new key collection.
    func reload() async throws {
        let now = Timestamp.now()
        let rows = try await database.sql.raw(
            """
            SELECT kid, public_jwk, private_key, status, created_at FROM sso_keys
            WHERE status = 'active' OR publish_until > \(bind: now)
            ORDER BY created_at DESC
            """
        ).all()
        let collection = JWTKeyCollection()
        var active: String?
        var published: Set<String> = []
        var jwks: [JSONValue] = []
        for row in rows {
            let kid = try row.decode(column: "kid", as: String.self)
            let status = try row.decode(column: "status", as: String.self)
            let pem = String(decoding: try masterKey.open(try row.decode(column: "private_key", as: String.self), purpose: Self.sealPurpose), as: UTF8.self)
            let key = try ES256PrivateKey(pem: pem)
            await collection.add(ecdsa: key, kid: JWKIdentifier(string: kid))
            published.insert(kid)
            if status == "active" && active == nil { active = kid }
            jwks.append(try JSONDecoder().decode(JSONValue.self, from: Data(try row.decode(column: "public_jwk", as: String.self).utf8)))
        }
        let document = try JSONValue.object(["keys": .array(jwks)]).encoded()
        state.withLockedValue { state in
            state.collection = collection
            state.activeKID = active
            state.publishedKIDs = published
            state.jwks = document
            state.loadedAt = .now
        }
    }

    @discardableResult
    private func createKey(retiringCurrent: Bool) async throws -> KeyInfo {
        let key = ES256PrivateKey()
        guard let parameters = key.publicKey.parameters else { throw SigningKeyError.malformed }
        // RFC 7638 thumbprint as the key id.
        let thumbprintInput = #"{"crv":"P-256","kty":"EC","x":"\#(parameters.x)","y":"\#(parameters.y)"}"#
        let kid = Data(SHA256.hash(data: Array(thumbprintInput.utf8))).base64URLEncodedString()
        let jwk: JSONValue = [
            "kty": "EC", "crv": "P-256", "x": .string(parameters.x), "y": .string(parameters.y),
            "kid": .string(kid), "alg": "ES256", "use": "sig",
        ]
        let sealed = try masterKey.seal(Array(key.pemRepresentation.utf8), purpose: Self.sealPurpose)
        let now = Date()
        let created = Timestamp.string(from: now)
        let publishUntil = Timestamp.string(from: now.addingTimeInterval(Double(publishWindow.components.seconds)))
        let engine = database.engine
        let jwkText = String(decoding: try jwk.encoded(), as: UTF8.self)
        try await database.transaction { tx in
            if engine == .postgres {
                try await tx.raw("SELECT pg_advisory_xact_lock(7315002)").run()
            }
            if !retiringCurrent {
                let existing = try await tx.raw("SELECT COUNT(*) AS n FROM sso_keys WHERE status = 'active'").first()!.decode(column: "n", as: Int.self)
                if existing > 0 { return }
            } else {
                try await tx.raw(
                    "UPDATE sso_keys SET status = 'retired', retired_at = \(bind: created), publish_until = \(bind: publishUntil) WHERE status = 'active'"
                ).run()
            }
            try await tx.raw(
                """
                INSERT INTO sso_keys (kid, alg, public_jwk, private_key, status, created_at)
                VALUES (\(bind: kid), 'ES256', \(bind: jwkText), \(bind: sealed), 'active', \(bind: created))
                """
            ).run()
        }
        return KeyInfo(kid: kid, alg: "ES256", status: "active", createdAt: created, retiredAt: nil, publishUntil: nil)
    }
}

public enum SigningKeyError: Error, CustomStringConvertible, Equatable {
    case noActiveKey
    case unknownKey
    case malformed
    case unsupportedAlgorithm(String)

    public var description: String {
        switch self {
        case .noActiveKey: return "không có khóa ký đang hoạt động"
        case .unknownKey: return "token được ký bằng khóa không xác định"
        case .malformed: return "token không đúng định dạng JWT"
        case .unsupportedAlgorithm(let alg): return "thuật toán \(alg) không được chấp nhận"
        }
    }
}
