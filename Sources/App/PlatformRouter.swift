import Core
import Hummingbird
import Prometheus

/// Builds the one router of the process: the middleware chain, the system routes and every module's.
enum PlatformRouter {
    static func build(_ platform: Platform) -> APIRouter {
        let api = APIRouter(
            defaultMaxBodySize: platform.configuration.maxBodySize.bytes,
            middlewares: [PlatformMiddleware(factory: PrometheusMetricsFactory(registry: platform.metrics))],
            tokenVerifier: platform.sso.tokens
        )
        SystemRoutes(platform: platform).register(on: api)
        for module in platform.modules {
            module.registerRoutes(on: api)
        }
        OpenAPIRoutes.register(on: api)
        return api
    }
}
