import Core
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Writes the transaction log off the hot path but without losing entries: calls hand their entry over
/// and go on; entries are written in batches (one statement, one commit) at most `delay` later. The
/// queue is bounded: when `capacity` entries wait (the database is slow or down) the proxy stops taking
/// new calls (503) and callers that already finished wait for room — nothing is dropped. `flush()`
/// writes everything pending (queries read their own writes; shutdown flushes).
///
/// Handing an entry over takes a lock, not a hop onto an actor, so a call costs no extra scheduling;
/// the batches are written from a thread of their own (`LogWriterExecutor`).
final class TransactionRecorder: Sendable {
    let store: TransactionStore
    let logger: Logger
    let batchSize: Int
    let capacity: Int
    let delay: Duration

    private struct State {
        var pending: [Transaction] = []
        /// Callers waiting for room.
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// The drain, while one is scheduled or running.
        var flushing: Task<Void, Never>?
        /// Set when shutdown gave up writing: nobody waits for room any more, and no drain starts again.
        var stopped = false
    }

    private let state = NIOLockedValueBox(State())

    init(store: TransactionStore, logger: Logger, batchSize: Int = 500, capacity: Int = 20_000, delay: Duration = .milliseconds(100)) {
        self.store = store
        self.logger = logger
        self.batchSize = batchSize
        self.capacity = capacity
        self.delay = delay
    }

    /// Whether a new call may start (its entry will find room).
    var hasRoom: Bool { waiting < capacity }

    /// Entries handed over and not yet written.
    var waiting: Int { state.withLockedValue { $0.pending.count } }

    /// Hands `entry` over; waits only while the queue is full.
    func record(_ entry: Transaction) async {
        while !offer(entry) {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let now = state.withLockedValue { state in
                    if admits(state) { return true }
                    state.waiters.append(waiter)
                    return false
                }
                if now { waiter.resume() }
            }
        }
    }

    /// Whether an entry may be added now: there is room, or shutdown gave up (then nothing waits).
    private func admits(_ state: State) -> Bool {
        state.pending.count < capacity || state.stopped
    }

    private func offer(_ entry: Transaction) -> Bool {
        state.withLockedValue { state in
            guard admits(state) else { return false }
            state.pending.append(entry)
            if state.flushing == nil && !state.stopped {
                state.flushing = drain(after: state.pending.count >= batchSize ? nil : delay)
            }
            return true
        }
    }

    /// Writes every entry handed over so far.
    func flush() async {
        while !Task.isCancelled {
            let running = state.withLockedValue { state -> Task<Void, Never>? in
                if state.flushing == nil && !state.pending.isEmpty && !state.stopped { state.flushing = drain(after: nil) }
                return state.flushing
            }
            guard let running else { return }
            await running.value
        }
    }

    /// `flush()` for shutdown: gives up after `limit` if the database does not take the entries, and
    /// says how many were not written.
    func flush(within limit: Duration) async {
        let flushed = Task { await self.flush() }
        let timer = Task {
            try? await Task.sleep(for: limit)
            flushed.cancel()
            self.stopDraining()
        }
        await flushed.value
        timer.cancel()
        let left = waiting
        if left > 0 {
            logger.critical("Không ghi được nhật ký giao dịch khi dừng", metadata: ["entries": "\(left)"])
        }
    }

    /// Gives up writing (shutdown past its limit): the drain stops retrying, waiting callers go on.
    private func stopDraining() {
        let ready = state.withLockedValue { state in
            state.stopped = true
            state.flushing?.cancel()
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in ready { waiter.resume() }
    }

    /// Called with the lock held, when no drain is scheduled.
    private func drain(after wait: Duration?) -> Task<Void, Never> {
        Task(executorPreference: LogWriterExecutor.shared) {
            if let wait { try? await Task.sleep(for: wait) }
            await self.write()
        }
    }

    /// Writes batches until nothing is pending; a failed batch is tried again (the entries stay first
    /// in the queue) with a growing pause, until cancelled.
    private func write() async {
        var failures = 0
        while true {
            let batch = state.withLockedValue { state -> [Transaction] in
                if state.pending.isEmpty { state.flushing = nil }
                return Array(state.pending.prefix(batchSize))
            }
            if batch.isEmpty { return }
            do {
                try await store.insert(batch)
                failures = 0
                let ready = state.withLockedValue { state in
                    state.pending.removeFirst(batch.count)
                    defer { state.waiters.removeAll() }
                    return state.waiters
                }
                for waiter in ready { waiter.resume() }
            } catch {
                failures += 1
                logger.error("Ghi nhật ký giao dịch không thành công; sẽ thử lại", metadata: [
                    "entries": "\(waiting)", "error": "\(SafeErrorDescription.describe(error))",
                ])
                if Task.isCancelled {
                    state.withLockedValue { $0.flushing = nil }
                    return
                }
                try? await Task.sleep(for: .milliseconds(min(5_000, 100 << min(failures, 6))))
            }
        }
    }
}
