import Dispatch
import Hummingbird
import Logging
import Metrics
import NIOConcurrencyHelpers

/// Counts requests and measures their latency by route template, method and status (Prometheus), and
/// writes one access-log line a request. The route is the matched template (`/api/v1/x/{id}`), never the
/// raw path, and the query string is never logged: both may carry personal data.
public struct ObservabilityMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let metrics: HTTPMetrics

    public init(factory: any MetricsFactory) {
        self.metrics = HTTPMetrics(factory: factory)
    }

    public func handle(
        _ request: Request, context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        metrics.inFlight.increment()
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ProblemMapping.problem(for: error, logger: context.logger).response(requestID: context.requestID)
        }
        let status = response.status
        let route = context.endpointPath ?? "unmatched"
        let method = request.method
        // Measured when the response is ready: the whole request for buffered bodies, the time to the
        // first byte for streamed ones. Wrapping the body to wait for the last byte would cost buffered
        // responses their single-write fast path.
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        metrics.record(route: route, method: method.rawValue, status: Int(status.code), nanoseconds: elapsed)
        metrics.inFlight.decrement()
        context.logger.log(
            level: status.code >= 500 ? .error : .info,
            "HTTP \(method.rawValue) \(route) \(status.code)",
            metadata: [
                "http.method": .string(method.rawValue),
                "http.route": .string(route),
                "http.status": .stringConvertible(status.code),
                "duration_ms": .string(String(format: "%.3f", Double(elapsed) / 1_000_000)),
            ]
        )
        return response
    }
}

/// The HTTP metrics, created once per (route, method, status) and kept.
final class HTTPMetrics: Sendable {
    let factory: any MetricsFactory
    let inFlight: Meter
    private let series: NIOLockedValueBox<[Key: (Counter, Metrics.Timer)]>

    struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.inFlight = Meter(label: "lgsp_http_requests_in_flight", dimensions: [], factory: factory)
        self.series = .init([:])
    }

    func record(route: String, method: String, status: Int, nanoseconds: UInt64) {
        let key = Key(route: route, method: method, status: status)
        let (counter, timer) = series.withLockedValue { series in
            if let existing = series[key] { return existing }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let made = (
                Counter(label: "lgsp_http_requests_total", dimensions: dimensions, factory: factory),
                Metrics.Timer(label: "lgsp_http_request_duration_seconds", dimensions: dimensions, factory: factory)
            )
            series[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(Int64(clamping: nanoseconds))
    }
}

import Foundation
