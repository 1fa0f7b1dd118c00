/// One SQLite write transaction at a time in this process, first come first served.
///
/// SQLite has one writer; without this, concurrent `BEGIN IMMEDIATE`s poll for the lock in SQLite's busy
/// handler, which is not fair: under a burst (200 dossiers at once on a loaded machine) a transaction can
/// lose the race until `busy_timeout` and fail with "database is locked". Queued here, writers go in
/// order and never poll each other (other processes sharing the file still meet `busy_timeout`). A
/// writer that waits longer than `timeout` gives up, and the caller answers 503.
actor WriteGate {
    private var held = false
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextID: UInt64 = 0

    /// True once the gate is ours; false when `timeout` passed first.
    func enter(timeout: Duration) async -> Bool {
        if !held {
            held = true
            return true
        }
        let id = nextID
        nextID += 1
        return await withCheckedContinuation { continuation in
            waiters.append((id, continuation))
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.expire(id)
            }
        }
    }

    private func expire(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: false)
    }

    func leave() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().continuation.resume(returning: true)
        }
    }
}
