/// Where an `lgsp` process runs. Production refuses development secrets and logs JSON lines.
public enum DeploymentEnvironment: String, Sendable, CaseIterable, Codable {
    case development
    case test
    case production
}
