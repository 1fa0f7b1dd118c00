import NIOConcurrencyHelpers

/// A counter every write to the registry, grants or members moves on, so what the proxy keeps in memory
/// (services, grants, the systems behind clients) is dropped at once when it changes in this process.
/// Other processes sharing the database see changes within `RouteTable.maxAge`.
final class GatewayChanges: Sendable {
    private let generation = NIOLockedValueBox<UInt64>(0)

    func bump() {
        generation.withLockedValue { $0 &+= 1 }
    }

    var current: UInt64 { generation.withLockedValue { $0 } }
}
