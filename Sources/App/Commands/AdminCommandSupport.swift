import ArgumentParser
import Core
import Foundation

/// Opens the platform for an administrative command (migrating first, so the command works on a fresh
/// data folder), runs `body`, closes; problems are printed in Vietnamese with exit code 1.
func withAdminPlatform(_ options: ConfigurationOptions, _ body: (Platform) async throws -> Void) async throws {
    let (configuration, logger) = try options.load()
    let platform: Platform
    do {
        platform = try await Platform.open(configuration, logger: logger)
    } catch {
        throw fail("\(error)")
    }
    do {
        try await platform.migrate()
        try await body(platform)
        await platform.close()
    } catch let problem as Problem {
        await platform.close()
        var lines = [problem.detail ?? problem.type.title]
        lines += problem.errors.map { "  \($0.pointer): \($0.message)" }
        throw fail(lines.joined(separator: "\n"))
    } catch let exit as ExitCode {
        await platform.close()
        throw exit
    } catch {
        await platform.close()
        throw fail("\(error)")
    }
}

/// Prints a value as indented JSON with sorted keys (for operators' scripts).
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
}
