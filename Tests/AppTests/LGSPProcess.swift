import Foundation
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
        out.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            output.withLockedValue { $0.append(data) }
        }
        err.fileHandleForReading.readabilityHandler = { [errors] handle in
            let data = handle.availableData
            errors.withLockedValue { $0.append(data) }
        }
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
        // Let the readability handlers drain.
        try await Task.sleep(for: .milliseconds(50))
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
