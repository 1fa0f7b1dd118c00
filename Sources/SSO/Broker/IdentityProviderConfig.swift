import Core
import Foundation

/// An external identity provider the SSO brokers (VDXP/VNeID in production, the NationalSim stand-in in
/// development): configuration only — pointing the platform at the real VDXP means changing `issuer`,
/// `clientId` and the secret.
public struct IdentityProviderConfig: Codable, Sendable, Equatable {
    public enum Profile: String, Codable, Sendable {
        /// The identity is in a signed ID token (verified through the provider's JWKS).
        case oidc
        /// No ID token: the identity is read from the userinfo endpoint with the access token.
        case userinfo
    }

    /// Which claim or userinfo field holds what.
    public struct Fields: Codable, Sendable, Equatable {
        public var personalId: String
        public var name: String
        public var birthDate: String?

        public init(personalId: String, name: String, birthDate: String?) {
            self.personalId = personalId
            self.name = name
            self.birthDate = birthDate
        }
    }

    /// Short, URL-safe: `vneid`. Part of the callback URL registered at the provider.
    public var id: String
    /// Shown on the login button: "Đăng nhập bằng <name>".
    public var name: String
    public var issuer: String
    /// Defaults to `<issuer>/.well-known/openid-configuration`.
    public var discoveryURL: String?
    public var clientId: String
    public var clientSecret: String?
    /// The name of an environment variable holding the secret (keeps it out of the file).
    public var clientSecretEnv: String?
    public var scopes: [String]
    public var profile: Profile
    public var fields: Fields?
    /// Seconds one exchange with the provider may take in all (discovery, keys, token, userinfo).
    public var timeoutSeconds: Int?
    /// Whether a first sign-in through this provider links an existing citizen account with the same
    /// personal id (default true). Set false for providers that are not trusted to assert personal ids
    /// (sandboxes): they only ever get accounts of their own.
    public var linkExistingAccounts: Bool?

    public var resolvedFields: Fields {
        fields ?? (profile == .userinfo
            ? Fields(personalId: "citizenPid", name: "fullName", birthDate: "birthDate")
            : Fields(personalId: "personal_id", name: "name", birthDate: "birthdate"))
    }

    public var discovery: String { discoveryURL ?? issuer + "/.well-known/openid-configuration" }
    public var timeout: Duration { .seconds(timeoutSeconds ?? 5) }

    func secret(environment: [String: String]) -> String? {
        if let name = clientSecretEnv { return environment[name] }
        return clientSecret
    }

    /// Reads the `--identity-providers` setting: a path to a JSON file, or JSON text (an array).
    public static func load(_ setting: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [IdentityProviderConfig] {
        let trimmed = setting.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return [] }
        let data: Data
        if trimmed.hasPrefix("[") {
            data = Data(trimmed.utf8)
        } else {
            guard let contents = FileManager.default.contents(atPath: trimmed) else {
                throw ConfigurationError(setting: .identityProviders, value: trimmed, reason: "không đọc được tệp")
            }
            data = contents
        }
        let providers: [IdentityProviderConfig]
        do {
            providers = try JSONDecoder().decode([IdentityProviderConfig].self, from: data)
        } catch {
            throw ConfigurationError(setting: .identityProviders, value: trimmed, reason: "JSON không đúng cấu trúc: \(error)")
        }
        var ids = Set<String>()
        for provider in providers {
            guard AccountService.isValidUsername(provider.id), ids.insert(provider.id).inserted else {
                throw ConfigurationError(setting: .identityProviders, value: provider.id, reason: "mã nhà cung cấp phải là duy nhất, gồm a-z, 0-9, . _ -")
            }
            guard let url = URLComponents(string: provider.issuer), ["http", "https"].contains(url.scheme ?? "") else {
                throw ConfigurationError(setting: .identityProviders, value: provider.issuer, reason: "issuer phải là URL http(s)")
            }
            guard provider.secret(environment: environment) != nil else {
                throw ConfigurationError(setting: .identityProviders, value: provider.id, reason: "thiếu clientSecret (hoặc biến môi trường clientSecretEnv)")
            }
        }
        return providers
    }
}
