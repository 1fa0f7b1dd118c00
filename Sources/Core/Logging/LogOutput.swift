#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

/// Where production log lines go: a file descriptor (standard error), written in batches.
///
/// Lines below `warning` (the access log, mostly) collect in a buffer that is written when it holds
/// 32 KiB or every 200 ms, whichever comes first — as nginx's `access_log … buffer= flush=` does: one
/// `write(2)` per request was a tenth of the platform's request throughput. A warning or worse is
/// written at once, with everything before it, so the order of lines never changes. The buffer is also
/// written when the process exits normally; a process killed with SIGKILL loses at most the last 200 ms
/// of info lines (the audit log, in the database, is unaffected).
public final class LogOutput: Sendable {
    public static let standardError = LogOutput(descriptor: 2)

    static let capacity = 32 << 10
    static let interval: Duration = .milliseconds(200)

    private let descriptor: Int32
    private let state = NIOLockedValueBox(State())

    struct State {
        var buffer: [UInt8] = []
        var flusherStarted = false
    }

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Adds one line (without its newline). `urgent` lines are written before this returns.
    public func write(_ line: [UInt8], urgent: Bool) {
        let startFlusher = state.withLockedValue { state -> Bool in
            if state.buffer.isEmpty { state.buffer.reserveCapacity(Self.capacity + 1024) }
            state.buffer.append(contentsOf: line)
            state.buffer.append(UInt8(ascii: "\n"))
            if urgent || state.buffer.count >= Self.capacity {
                writeAll(state.buffer)
                state.buffer.removeAll(keepingCapacity: true)
            }
            defer { state.flusherStarted = true }
            return !state.flusherStarted
        }
        if startFlusher {
            atexit { LogOutput.standardError.flush() }
            Task.detached { [self] in
                while true {
                    try? await Task.sleep(for: Self.interval)
                    flush()
                }
            }
        }
    }

    /// Writes whatever is buffered.
    public func flush() {
        state.withLockedValue { state in
            guard !state.buffer.isEmpty else { return }
            writeAll(state.buffer)
            state.buffer.removeAll(keepingCapacity: true)
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
        }
    }
}

/// `write(2)` (the class's own `write` hides the C function's name inside it).
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
