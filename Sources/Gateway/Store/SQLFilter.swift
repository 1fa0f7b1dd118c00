import SQLKit

/// Building the gateway's list queries: optional conditions appended only when a value is given.
extension SQLQueryString {
    /// ` AND <column> <op> <value>` when `value` is not nil.
    mutating func and(_ column: String, _ op: String = "=", _ value: (any Encodable & Sendable)?) {
        guard let value else { return }
        appendInterpolation(unsafeRaw: " AND \(column) \(op) ")
        appendInterpolation(bind: value)
    }

    /// Rows a system is part of: it is `consumerColumn`, or it provides the service — by
    /// `providerColumn` when the table has one, otherwise through `gw_services`.
    mutating func involving(_ system: String?, consumerColumn: String, providerColumn: String? = nil, serviceColumn: String = "service_id") {
        guard let system else { return }
        appendInterpolation(unsafeRaw: " AND (\(consumerColumn) = ")
        appendInterpolation(bind: system)
        if let providerColumn {
            appendInterpolation(unsafeRaw: " OR \(providerColumn) = ")
        } else {
            appendInterpolation(unsafeRaw: " OR \(serviceColumn) IN (SELECT id FROM gw_services WHERE system_id = ")
        }
        appendInterpolation(bind: system)
        appendInterpolation(unsafeRaw: providerColumn == nil ? "))" : ")")
    }
}
