/// The version of the platform, reported by `/health`, `/openapi.json` and `lgsp --version`.
public enum LGSPVersion {
    public static let current = "0.1.0"
}
