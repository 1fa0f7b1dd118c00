/// One poll of a service's health URL (R-PL01-2.3.2): when, the outcome, how long it took. The answer's
/// body is never kept (a level-2 report may name internal components).
struct HealthCheck: Codable, Sendable, Equatable {
    enum Outcome: String, Codable, Sendable {
        /// A 2xx answer within the time allowed.
        case up
        case down
    }

    let serviceId: String
    let at: String
    let outcome: Outcome
    /// The HTTP status, when one came back.
    let httpStatus: Int?
    let latencyMs: Double
    /// Why it is down: `status` (not 2xx), `timeout`, `unreachable`.
    let error: String?
}
