import Core
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// Statistics of calls through the proxy per service version, consumer and day: calls, how
/// they ended, latency percentiles, bytes — computed from the transaction log.
struct CallStatistics: Sendable {
    let database: Database

    struct Row: Codable, Sendable, Equatable {
        let day: String
        let serviceId: String?
        let serviceCode: String
        let version: String
        let consumerSystemId: String?
        let consumer: String?
        var calls = 0
        /// Answered by the upstream with 1xx–3xx.
        var succeeded = 0
        /// Answered by the upstream with 4xx.
        var clientErrors = 0
        /// Answered by the upstream with 5xx, or it failed or timed out (502, 504).
        var upstreamErrors = 0
        /// Refused by the gateway itself (token, grant, limits, quota): never reached the upstream.
        var refused = 0
        var latencyP50Ms: Double?
        var latencyP95Ms: Double?
        var latencyP99Ms: Double?
        var bytesIn: Int64 = 0
        var bytesOut: Int64 = 0
    }

    struct Filter: Sendable {
        var fromDay: String
        var toDay: String
        var serviceId: String?
        var consumerSystemId: String?
        var involving: String?
    }

    /// Failures on the provider's side (what the gateway answers 502/504 for, or a broken stream).
    static let upstreamFailures: Set<String> = ["upstream-unreachable", "upstream-timeout", "upstream-auth", "stream-interrupted"]

    /// Longest period one query covers.
    static let maxDays = 92

    func rows(_ filter: Filter) async throws -> [Row] {
        var query = SQLQueryString(
            """
            SELECT day, service_id, service_code, version, consumer_system_id, consumer, status, error_type, upstream_ms, latency_ms, bytes_in, bytes_out
            FROM gw_transactions WHERE day >= \(bind: filter.fromDay) AND day <= \(bind: filter.toDay)
            """
        )
        query.and("service_id", "=", filter.serviceId)
        query.and("consumer_system_id", "=", filter.consumerSystemId)
        query.involving(filter.involving, consumerColumn: "consumer_system_id", providerColumn: "provider_system_id")
        let box = NIOLockedValueBox<[String: (row: Row, latencies: [Double])]>([:])
        try await database.sql.raw(query).run { row in
            guard let day = try? row.decode(column: "day", as: String.self), let code = try? row.decode(column: "service_code", as: String.self),
                  let version = try? row.decode(column: "version", as: String.self) else { return }
            let service = try? row.decode(column: "service_id", as: String?.self)
            let consumerSystem = try? row.decode(column: "consumer_system_id", as: String?.self)
            let key = [day, service ?? code, version, consumerSystem ?? ""].map { $0 ?? "" }.joined(separator: "|")
            let status = (try? row.decode(column: "status", as: Int.self)) ?? 0
            let forwarded = ((try? row.decode(column: "upstream_ms", as: Double?.self)) ?? nil) != nil
            let error = (try? row.decode(column: "error_type", as: String?.self)) ?? nil
            let latency = (try? row.decode(column: "latency_ms", as: Double.self)) ?? 0
            let bytesIn = (try? row.decode(column: "bytes_in", as: Int64.self)) ?? 0
            let bytesOut = (try? row.decode(column: "bytes_out", as: Int64.self)) ?? 0
            let consumer = (try? row.decode(column: "consumer", as: String?.self)) ?? nil
            box.withLockedValue { groups in
                var group = groups[key] ?? (Row(
                    day: day, serviceId: service ?? nil, serviceCode: code, version: version, consumerSystemId: consumerSystem ?? nil, consumer: consumer
                ), [])
                group.row.calls += 1
                if let error, Self.upstreamFailures.contains(error) {
                    group.row.upstreamErrors += 1
                } else if !forwarded {
                    group.row.refused += 1
                } else if status >= 500 {
                    group.row.upstreamErrors += 1
                } else if status >= 400 {
                    group.row.clientErrors += 1
                } else {
                    group.row.succeeded += 1
                }
                group.latencies.append(latency)
                group.row.bytesIn += bytesIn
                group.row.bytesOut += bytesOut
                groups[key] = group
            }
        }
        let groups = box.withLockedValue { $0 }
        return groups.values.map { group in
            var row = group.row
            let sorted = group.latencies.sorted()
            row.latencyP50Ms = Self.percentile(sorted, 0.50)
            row.latencyP95Ms = Self.percentile(sorted, 0.95)
            row.latencyP99Ms = Self.percentile(sorted, 0.99)
            return row
        }.sorted { ($0.day, $0.serviceCode, $0.version, $0.consumer ?? "") < ($1.day, $1.serviceCode, $1.version, $1.consumer ?? "") }
    }

    /// Nearest-rank percentile of sorted values, rounded to 0.001 ms.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = max(1, Int((p * Double(sorted.count)).rounded(.up)))
        return (sorted[min(rank, sorted.count) - 1] * 1000).rounded() / 1000
    }
}
