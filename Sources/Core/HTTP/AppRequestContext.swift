import Hummingbird
import Logging
import NIOCore

/// The request context every route of the platform sees.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Taken from a valid incoming `X-Request-Id`, or generated. Set by `PlatformMiddleware`.
    public var requestID: String
    /// Largest body the matched route accepts; set by `APIRouter` for each route.
    public var maxBodySize: Int
    /// The connection, for its peer address (read only by the few routes that need it: asking the
    /// channel takes a lock, and most requests never do).
    let channel: any Channel
    /// The peer address, for rate limits and audit (not logged with personal data).
    public var remoteAddress: SocketAddress? { channel.remoteAddress }
    /// Set by the router for routes that require a token.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.maxBodySize = 1 << 20
        self.channel = source.channel
        self.principal = nil
    }

    public var maxUploadSize: Int { maxBodySize }
}
