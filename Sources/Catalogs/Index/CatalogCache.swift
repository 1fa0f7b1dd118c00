import Core
import Foundation
import Logging
import NIOConcurrencyHelpers

/// The catalogs and their versions as last read from the database.
struct CatalogSnapshot: Sendable {
    let generation: Int64
    /// By key.
    let catalogs: [String: CatalogEntry]

    var keys: [String] { catalogs.keys.sorted() }
}

struct CatalogEntry: Sendable {
    let info: CatalogInfo
    /// By number.
    let versions: [StoredVersion]

    func version(_ number: Int) -> StoredVersion? {
        versions.first { $0.info.number == number }
    }

    /// The published version in force on `day`: the highest-numbered published version whose effective
    /// window contains the day. When none does (the catalog has expired, like the pre-2025 units, or
    /// starts later), the highest-numbered published version, so it can still be read.
    func current(on day: Day) -> StoredVersion? {
        let published = versions.filter { $0.info.status == .published }
        return published.last { $0.info.effective.contains(day) } ?? published.last
    }

    /// Strictly in force on `day` (no fallback): for `at=` queries.
    func inForce(on day: Day) -> StoredVersion? {
        versions.filter { $0.info.status == .published && $0.info.effective.contains(day) }.last
    }

    var draft: StoredVersion? { versions.last { $0.info.status == .draft } }
}

/// Keeps the catalog list and version rows in memory, and one `CatalogIndex` per published version
/// (immutable, so never stale). Changes made in this process are seen at once (`reload()` after each
/// commit); changes of other processes within `ttl`, by polling a one-row generation counter. If the
/// database cannot be reached, reads keep answering from what is loaded.
final class CatalogCache: Sendable {
    let store: CatalogStore
    let ttl: Duration
    let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var snapshot: CatalogSnapshot?
        var checkedAt = ContinuousClock.now
        var refreshing = false
        var indexes: [Int64: Slot] = [:]
        /// The current version's index by catalog key, for today (the hot path of every read).
        var current: [String: (CatalogEntry, CatalogIndex)] = [:]
        /// When "today" ends in Viet Nam: the current versions may change then.
        var dayEnds = ContinuousClock.now
    }

    private enum Slot {
        case ready(CatalogIndex)
        case building(Task<CatalogIndex, any Error>)
    }

    static let maxIndexes = 48

    init(store: CatalogStore, ttl: Duration = .seconds(1), logger: Logger) {
        self.store = store
        self.ttl = ttl
        self.logger = logger
    }

    /// The catalog and the index of its current version: from memory with one lock when nothing has
    /// changed, else through `snapshot()` and `index(for:)`.
    func current(_ key: String) async throws -> (CatalogEntry, CatalogIndex)? {
        let now = ContinuousClock.now
        if let hit = state.withLockedValue({ state -> (CatalogEntry, CatalogIndex)? in
            guard now - state.checkedAt < ttl, now < state.dayEnds else { return nil }
            return state.current[key]
        }) {
            return hit
        }
        let snapshot = try await snapshot()
        guard let entry = snapshot.catalogs[key], let version = entry.current(on: .today()) else { return nil }
        let index = try await index(for: version)
        state.withLockedValue { state in
            if state.snapshot?.generation == snapshot.generation { state.current[key] = (entry, index) }
        }
        return (entry, index)
    }

    func snapshot() async throws -> CatalogSnapshot {
        let now = ContinuousClock.now
        let (current, mustRefresh): (CatalogSnapshot?, Bool) = state.withLockedValue { state in
            if let snapshot = state.snapshot {
                if now - state.checkedAt < ttl || state.refreshing { return (snapshot, false) }
            }
            state.refreshing = true
            return (state.snapshot, true)
        }
        guard mustRefresh else { return current! }
        do {
            let generation = try await store.generation()
            if let current, current.generation == generation {
                state.withLockedValue {
                    $0.checkedAt = .now
                    $0.refreshing = false
                }
                return current
            }
            return try await load(generation: generation)
        } catch {
            state.withLockedValue { $0.refreshing = false }
            guard let current else { throw error }
            logger.warning("Không làm mới được danh mục từ cơ sở dữ liệu; dùng dữ liệu đã nạp", metadata: ["error": "\(SafeErrorDescription.describe(error))"])
            state.withLockedValue { $0.checkedAt = .now }
            return current
        }
    }

    /// Reads everything again (after a change committed by this process).
    @discardableResult
    func reload() async throws -> CatalogSnapshot {
        state.withLockedValue { $0.refreshing = true }
        do {
            return try await load(generation: try await store.generation())
        } catch {
            state.withLockedValue {
                $0.refreshing = false
                $0.checkedAt = .now - ttl
            }
            throw error
        }
    }

    private func load(generation: Int64) async throws -> CatalogSnapshot {
        let catalogs = try await store.catalogs()
        let versions = Dictionary(grouping: try await store.versions(), by: \.info.catalog)
        let snapshot = CatalogSnapshot(
            generation: generation,
            catalogs: Dictionary(uniqueKeysWithValues: catalogs.map { ($0.key, CatalogEntry(info: $0, versions: versions[$0.key] ?? [])) })
        )
        let today = Day.today()
        let currentIDs = Set(snapshot.catalogs.values.compactMap { $0.current(on: today)?.id })
        let known = Set(snapshot.catalogs.values.flatMap { $0.versions.filter { $0.info.status != .draft }.map(\.id) })
        let dayEnds = ContinuousClock.now + Self.untilMidnightInVietnam()
        state.withLockedValue { state in
            if state.snapshot == nil || state.snapshot!.generation <= generation {
                if state.snapshot?.generation != generation { state.current = [:] }
                state.snapshot = snapshot
            }
            if state.dayEnds < dayEnds {
                state.current = [:]
                state.dayEnds = dayEnds
            }
            state.checkedAt = .now
            state.refreshing = false
            state.indexes = state.indexes.filter { known.contains($0.key) }
            if state.indexes.count > Self.maxIndexes {
                state.indexes = state.indexes.filter { currentIDs.contains($0.key) }
            }
        }
        return snapshot
    }

    /// Time left until 00:00 in Viet Nam (UTC+7).
    static func untilMidnightInVietnam() -> Duration {
        let seconds = Int64(Date().timeIntervalSince1970) + 7 * 3600
        return .seconds(86_400 - seconds % 86_400)
    }

    /// The index of a published or retired version, built on first use. Drafts change, so their index
    /// is built fresh on every call and not kept.
    func index(for version: StoredVersion) async throws -> CatalogIndex {
        if version.info.status == .draft {
            return try await build(version)
        }
        let slot: Slot = state.withLockedValue { state in
            if let slot = state.indexes[version.id] { return slot }
            let task = Task { try await self.build(version) }
            state.indexes[version.id] = .building(task)
            return .building(task)
        }
        switch slot {
        case .ready(let index):
            return index
        case .building(let task):
            do {
                let index = try await task.value
                state.withLockedValue { $0.indexes[version.id] = .ready(index) }
                return index
            } catch {
                state.withLockedValue { state in
                    if case .building = state.indexes[version.id] { state.indexes[version.id] = nil }
                }
                throw error
            }
        }
    }

    private func build(_ version: StoredVersion) async throws -> CatalogIndex {
        let concepts = try await store.concepts(versionID: version.id)
        let mappings = try await store.mappings(versionID: version.id)
        return CatalogIndex(catalog: version.info.catalog, versionID: version.id, version: version.info, concepts: concepts, mappings: mappings)
    }
}
