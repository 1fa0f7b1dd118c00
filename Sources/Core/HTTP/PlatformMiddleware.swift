import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOConcurrencyHelpers

/// The one middleware every request passes, outermost:
/// - gives the request an id: a valid incoming `X-Request-Id` is kept (so a caller's id follows the call
///   through the platform), otherwise Hummingbird's own; it is in every log line of the request and in the
///   `X-Request-Id` response header;
/// - answers every error with `application/problem+json` (RFC 9457), `instance` = the request id;
/// - counts requests and measures their latency by route template, method and status (Prometheus), and
///   writes one access-log line a request. The route is the matched template (`/api/v1/x/{id}`), never the
///   raw path, and the query string is never logged: both may carry personal data.
///
/// One layer rather than three: every layer of the chain copies the request context, and these run on
/// every request.
public struct PlatformMiddleware: RouterMiddleware {
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
        var context = context
        // Hummingbird's logger for the request already carries its id under `hb.request.id` (JSON lines
        // call it `request_id`); a caller's id replaces it. Changing the logger's metadata copies it, so
        // that happens only then.
        let id: String
        if let given = request.headers[RequestIDs.header], RequestIDs.isValid(given) {
            id = given
            context.logger[metadataKey: JSONLogHandler.hummingbirdRequestID] = .string(given)
        } else if let own = context.logger[metadataKey: JSONLogHandler.hummingbirdRequestID]?.description {
            id = own
        } else {
            id = RequestIDs.generate()
            context.logger[metadataKey: JSONLogHandler.hummingbirdRequestID] = .string(id)
        }
        context.requestID = id
        metrics.inFlight.increment()
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ProblemMapping.problem(for: error, logger: context.logger).response(requestID: id)
        }
        response.headers[RequestIDs.header] = id
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
                "duration_ms": .string(Self.milliseconds(elapsed)),
            ]
        )
        return response
    }

    /// `1.234` for 1,234,000 ns (three decimals, without Foundation's formatter on the hot path).
    static func milliseconds(_ nanoseconds: UInt64) -> String {
        let micros = nanoseconds / 1000
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

/// Request ids: what is accepted from callers, the header, a fallback generator.
public enum RequestIDs {
    public static let header = HTTPField.Name("X-Request-Id")!

    /// 1 to 128 characters of `A-Z a-z 0-9 . _ : -`: safe to log and to echo in a header.
    public static func isValid(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard (1...128).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"),
                UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    public static func generate() -> String {
        UUID().uuidString.lowercased()
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
