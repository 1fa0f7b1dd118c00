import Core
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Writes the transaction log off the hot path but without losing entries: calls hand their entry over
/// and go on; entries are written in batches (one statement, one commit) at most `delay` later. The
/// queue is bounded: when `capacity` entries wait (the database is slow or down) the proxy stops taking
/// new calls (503) and callers that already finished wait for room — nothing is dropped. `flush()`
/// writes everything pending (queries read their own writes; shutdown flushes).
actor TransactionRecorder {
    let store: TransactionStore
    let logger: Logger
    let batchSize: Int
    let capacity: Int
    let delay: Duration

    private var pending: [Transaction] = [] {
        didSet { queued.withLockedValue { $0 = pending.count } }
    }
    /// `pending.count`, readable without a hop onto the actor (every proxied call asks).
    private nonisolated let queued = NIOLockedValueBox(0)
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var flushing: Task<Void, Never>?
    /// Set when shutdown gave up writing: nobody waits for room any more.
    private var stopped = false

    init(store: TransactionStore, logger: Logger, batchSize: Int = 500, capacity: Int = 20_000, delay: Duration = .milliseconds(100)) {
        self.store = store
        self.logger = logger
        self.batchSize = batchSize
        self.capacity = capacity
        self.delay = delay
    }

    /// Whether a new call may start (its entry will find room).
    nonisolated var hasRoom: Bool { queued.withLockedValue { $0 } < capacity }

    var waiting: Int { pending.count }

    func record(_ entry: Transaction) async {
        while pending.count >= capacity && !stopped {
            await withCheckedContinuation { waiters.append($0) }
        }
        pending.append(entry)
        if flushing == nil {
            start(after: pending.count >= batchSize ? nil : delay)
        }
    }

    /// Writes every entry handed over so far.
    func flush() async {
        while (!pending.isEmpty || flushing != nil) && !Task.isCancelled {
            if flushing == nil { start(after: nil) }
            await flushing?.value
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
        if !pending.isEmpty {
            logger.critical("Không ghi được nhật ký giao dịch khi dừng", metadata: ["entries": "\(pending.count)"])
        }
    }

    /// Gives up writing (shutdown past its limit): the drain stops retrying, waiting callers go on.
    private func stopDraining() {
        stopped = true
        flushing?.cancel()
        let ready = waiters
        waiters.removeAll()
        for waiter in ready { waiter.resume() }
    }

    private func start(after wait: Duration?) {
        flushing = Task {
            if let wait { try? await Task.sleep(for: wait) }
            await self.drain()
        }
    }

    private func drain() async {
        var failures = 0
        while !pending.isEmpty {
            let batch = Array(pending.prefix(batchSize))
            do {
                try await store.insert(batch)
                pending.removeFirst(batch.count)
                failures = 0
                let ready = waiters
                waiters.removeAll()
                for waiter in ready { waiter.resume() }
            } catch {
                failures += 1
                logger.error("Ghi nhật ký giao dịch không thành công; sẽ thử lại", metadata: [
                    "entries": "\(pending.count)", "error": "\(SafeErrorDescription.describe(error))",
                ])
                if Task.isCancelled { break }
                try? await Task.sleep(for: .milliseconds(min(5_000, 100 << min(failures, 6))))
            }
        }
        flushing = nil
    }
}
