import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LGSPTesting
import NIOConcurrencyHelpers

/// The built `lgsp` executable, run as a separate process (what operators run).
final class LGSPProcess: @unchecked Sendable {
    static var executable: URL {
        get throws {
            var candidates: [URL] = []
            if let first = CommandLine.arguments.first {
                candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("lgsp"))
            }
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            candidates.append(root.appendingPathComponent(".build/debug/lgsp"))
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw ExecutableNotFound(searched: candidates.map(\.path))
            }
            return found
        }
    }

    struct ExecutableNotFound: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "lgsp executable not found (looked in \(searched)); build it with `swift build`" }
    }

    let process = Process()
    private let output = NIOLockedValueBox(Data())
    private let errors = NIOLockedValueBox(Data())
    let stdin = Pipe()
    /// How many of the two output pipes reached end of file.
    private let finished = NIOLockedValueBox(0)

    /// Starts `lgsp arguments…` with `environment` added to a clean environment.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = try Self.executable
        process.arguments = arguments
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        // Each pipe is read by a thread of its own with blocking reads until end of file. Not
        // `readabilityHandler`: its dispatch read source outlives the pipe in swift-corelibs-foundation,
        // and once the descriptor number is reused (a socket, a database file) libdispatch's event loop
        // crashes the whole test process (signal 11 in `_dispatch_event_loop_drain`).
        Self.collect(out.fileHandleForReading, into: output, finished: finished)
        Self.collect(err.fileHandleForReading, into: errors, finished: finished)
        try process.run()
    }

    var standardOutput: String { output.withLockedValue { String(decoding: $0, as: UTF8.self) } }
    var standardError: String { errors.withLockedValue { String(decoding: $0, as: UTF8.self) } }

    /// Waits for the process to exit (at most `timeout`) and returns its status.
    func wait(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw Timeout(what: "lgsp \(process.arguments ?? [])")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Everything the process wrote is read once both pipes are at end of file.
        let drained = ContinuousClock.now + .seconds(5)
        while finished.withLockedValue({ $0 }) < 2 {
            // Something the process started still holds its output open: what was read may be partial.
            guard ContinuousClock.now < drained else { throw Timeout(what: "end of output of lgsp \(process.arguments ?? [])") }
            try await Task.sleep(for: .milliseconds(5))
        }
        return process.terminationStatus
    }

    /// Waits until standard output contains `text`.
    func waitForOutput(containing text: String, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while !standardOutput.contains(text) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                throw Timeout(what: "output \(text); stderr: \(standardError)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return standardOutput
    }

    private static func collect(_ handle: FileHandle, into box: NIOLockedValueBox<Data>, finished: NIOLockedValueBox<Int>) {
        Thread {
            // Plain read(2): what is there as soon as it is there (`read(upToCount:)` waits for the whole
            // count), and an error ends the loop (`availableData` would stop the test process).
            let descriptor = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                box.withLockedValue { $0.append(contentsOf: buffer[0..<count]) }
            }
            finished.withLockedValue { $0 += 1 }
        }.start()
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Runs to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, out: String, err: String) {
        let process = try LGSPProcess(arguments, environment: environment)
        try process.stdin.fileHandleForWriting.close()
        let status = try await process.wait()
        return (status, process.standardOutput, process.standardError)
    }

    struct Timeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }
}
