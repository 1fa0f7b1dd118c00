import AsyncHTTPClient
import Core
import Foundation
import LGSPTesting
import SQLKit
import Testing

@testable import App

/// The `lgsp` executable as operators use it.
@Suite struct CommandLineTests {
    /// Settings for a fresh data folder and database, as `LGSP_*` variables.
    static func withEnvironment(_ body: ([String: String], TemporaryDirectory, DatabaseLocation) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (location, cleanup) = try await TestDatabase.makeLocation()
        var environment = ["LGSP_DATA_DIR": directory.path, "LGSP_LOG_LEVEL": "warning", "LGSP_ENV": "test"]
        if case .postgres(let postgres) = location {
            environment["LGSP_DATABASE_URL"] = postgres.url
        }
        do {
            try await body(environment, directory, location)
            await cleanup()
        } catch {
            await cleanup()
            throw error
        }
    }

    /// The database `lgsp` uses for these settings.
    static func database(_ location: DatabaseLocation, directory: TemporaryDirectory) throws -> Database {
        if case .sqlite = location {
            return try Database.open(.sqlite(path: directory.path + "/lgsp.sqlite"), logger: TestDatabase.logger)
        }
        return try Database.open(location, logger: TestDatabase.logger)
    }

    @Test func helpNamesEveryCommandAndSetting() async throws {
        let root = try await LGSPProcess.run(["--help"])
        #expect(root.status == 0)
        for command in ["serve", "migrate", "audit", "blobs", "keys", "user", "client"] {
            #expect(root.out.contains(command))
        }
        let serve = try await LGSPProcess.run(["serve", "--help"])
        #expect(serve.status == 0)
        for setting in Configuration.Setting.allCases {
            #expect(serve.out.contains(setting.flag), "\(setting.flag) missing from help")
            #expect(serve.out.contains(setting.environmentVariable), "\(setting.environmentVariable) missing from help")
        }
        for arguments in [["migrate", "--help"], ["audit", "verify", "--help"], ["blobs", "put", "--help"], ["user", "add", "--help"], ["client", "add", "--help"], ["keys", "rotate", "--help"]] {
            let result = try await LGSPProcess.run(arguments)
            #expect(result.status == 0)
            #expect(result.out.contains("LGSP_DATA_DIR"))
        }
        let version = try await LGSPProcess.run(["--version"])
        #expect(version.out.trimmingCharacters(in: .whitespacesAndNewlines) == LGSPVersion.current)
    }

    @Test func invalidSettingsStopStartUpNamingTheSetting() async throws {
        let result = try await LGSPProcess.run(["serve", "--port", "99999"])
        #expect(result.status != 0)
        #expect(result.err.contains("LGSP_PORT"))
        let fromEnvironment = try await LGSPProcess.run(["migrate"], environment: ["LGSP_ENV": "staging"])
        #expect(fromEnvironment.status != 0)
        #expect(fromEnvironment.err.contains("LGSP_ENV"))
    }

    @Test func productionRefusesToStartWithoutAMasterKey() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await LGSPProcess.run(["serve", "--port", "0", "--env", "production"], environment: ["LGSP_DATA_DIR": directory.path])
        #expect(result.status != 0)
        #expect(result.err.contains("LGSP_MASTER_KEY"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/master.key"))
    }

    /// Operators script account and client creation: every field a flag, the result as JSON, the secret once.
    @Test func usersClientsAndKeysFromTheCommandLine() async throws {
        try await Self.withEnvironment { environment, _, _ in
            let user = try LGSPProcess(
                ["user", "add", "--kind", "official", "--username", "cb.tuan", "--name", "Võ Anh Tuấn", "--agency-code", "000.00.31.H49",
                 "--role", "gateway.admin", "--role", "catalogs.editor", "--password-stdin"],
                environment: environment
            )
            user.stdin.fileHandleForWriting.write(Data("Tuan@Daklak2026\n".utf8))
            try user.stdin.fileHandleForWriting.close()
            #expect(try await user.wait() == 0, "\(user.standardError)")
            let account = try JSONDecoder().decode(JSONValue.self, from: Data(user.standardOutput.utf8))
            #expect(account["username"] == "cb.tuan" && account["roles"] == ["gateway.admin", "catalogs.editor"])
            #expect(!user.standardOutput.contains("Tuan@Daklak2026"))

            let weak = try await LGSPProcess.run(
                ["user", "add", "--kind", "official", "--username", "cb.yeu", "--name", "Yếu", "--password", "yeu"], environment: environment
            )
            #expect(weak.status == 1)
            #expect(weak.err.contains("/password: Mật khẩu phải có ít nhất 8 ký tự."))
            #expect(weak.err.contains("chữ hoa") && weak.err.contains("chữ số") && weak.err.contains("ký tự đặc biệt"))

            let client = try await LGSPProcess.run(
                ["client", "add", "--id", "mot-cua", "--name", "Một cửa", "--type", "confidential", "--grant", "client_credentials",
                 "--scope", "gateway.call", "--agency-code", "H49.31"],
                environment: environment
            )
            #expect(client.status == 0, "\(client.err)")
            let created = try JSONDecoder().decode(JSONValue.self, from: Data(client.out.utf8))
            #expect(created["client"]?["clientId"] == "mot-cua")
            #expect(created["clientSecret"]?.stringValue?.count == 43)
            let listed = try await LGSPProcess.run(["client", "list"], environment: environment)
            #expect(listed.status == 0 && listed.out.contains("mot-cua") && !listed.out.contains(created["clientSecret"]?.stringValue ?? "?"))

            let rotated = try await LGSPProcess.run(["keys", "rotate"], environment: environment)
            #expect(rotated.status == 0, "\(rotated.err)")
            let keys = try await LGSPProcess.run(["keys", "list"], environment: environment)
            let list = try JSONDecoder().decode(JSONValue.self, from: Data(keys.out.utf8)).arrayValue ?? []
            #expect(list.count == 2)
            #expect(Set(list.compactMap { $0["status"]?.stringValue }) == ["active", "retired"])
            #expect(!keys.out.contains("PRIVATE"))
        }
    }

    @Test func migrateTwiceChangesNothingTheSecondTime() async throws {
        try await Self.withEnvironment { environment, _, _ in
            let first = try await LGSPProcess.run(["migrate"], environment: environment)
            #expect(first.status == 0, "\(first.err)")
            #expect(first.out.contains("audit/0001_create_audit_entries"))
            let second = try await LGSPProcess.run(["migrate"], environment: environment)
            #expect(second.status == 0)
            #expect(second.out.contains("không có migration nào cần áp dụng"))
        }
    }

    @Test func aDatabaseFromANewerVersionStopsStartUp() async throws {
        try await Self.withEnvironment { environment, directory, location in
            #expect(try await LGSPProcess.run(["migrate"], environment: environment).status == 0)
            let database = try Self.database(location, directory: directory)
            try await database.sql.raw(
                "INSERT INTO core_migrations (module, name, position, applied_at) VALUES ('sso', '9999_from_the_future', 9999, '2030-01-01T00:00:00.000000Z')"
            ).run()
            await database.close()
            let serve = try await LGSPProcess.run(["serve", "--port", "0"], environment: environment)
            #expect(serve.status == 1)
            #expect(serve.err.contains("sso/9999_from_the_future"))
        }
    }

    //
    @Test func auditVerifyNamesTheFirstTamperedEntry() async throws {
        try await Self.withEnvironment { environment, directory, location in
            #expect(try await LGSPProcess.run(["migrate"], environment: environment).status == 0)
            let database = try Self.database(location, directory: directory)
            var configuration = Configuration()
            configuration.dataDirectory = directory.path
            let (masterKey, source) = try MasterKey.resolve(configuration)
            #expect(source == .dataFolder(path: directory.path + "/master.key", created: false))
            let log = AuditLog(database: database, masterKey: masterKey)
            for index in 0..<5 {
                try await log.record(AuditEvent(action: "test.cli", outcome: .success, objectID: String(index)))
            }
            let intact = try await LGSPProcess.run(["audit", "verify"], environment: environment)
            #expect(intact.status == 0, "\(intact.err)")
            #expect(intact.out.contains("6 bản ghi"))  // the migration run is entry 1

            switch database.engine {
            case .sqlite: try await database.sql.raw("DROP TRIGGER audit_entries_no_update").run()
            case .postgres: try await database.sql.raw("DROP TRIGGER audit_entries_append_only ON audit_entries").run()
            }
            // Without the master key the verification cannot run at all.
            var withoutKey = environment
            withoutKey["LGSP_ENV"] = "production"
            let refused = try await LGSPProcess.run(["audit", "verify"], environment: withoutKey)
            #expect(refused.status == 2)
            #expect(refused.err.contains("LGSP_MASTER_KEY"))
            try await database.sql.raw("UPDATE audit_entries SET object_id = 'forged' WHERE seq = 4").run()
            await database.close()
            let tampered = try await LGSPProcess.run(["audit", "verify"], environment: environment)
            #expect(tampered.status == 1)
            #expect(tampered.err.contains("#4"))
        }
    }

    /// A writer killed half-way (SIGKILL: no cleanup runs) leaves no blob under its final name, only a
    /// temporary file that `lgsp blobs sweep` removes.
    @Test func aKilledBlobWriterLeavesNoBlob() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let environment = ["LGSP_DATA_DIR": directory.path, "LGSP_LOG_LEVEL": "error"]
        let writer = try LGSPProcess(["blobs", "put", "-"], environment: environment)
        let chunk = Data(repeating: 0x5a, count: 1 << 20)
        let temporary = directory.path + "/blobs/tmp"
        var written = 0
        func partialFile() -> String? {
            (try? FileManager.default.contentsOfDirectory(atPath: temporary))?.first { $0.hasSuffix(".part") }
        }
        // Feed data until the temporary file has visibly grown, so the kill lands mid-write.
        while written < 64 {
            writer.stdin.fileHandleForWriting.write(chunk)
            written += 1
            if let part = partialFile(),
                let size = try? FileManager.default.attributesOfItem(atPath: temporary + "/" + part)[.size] as? Int, size > 0
            {
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        writer.signal(SIGKILL)
        _ = try await writer.wait()
        #expect(writer.process.terminationReason == .uncaughtSignal)
        #expect(partialFile() != nil)
        let stored = FileManager.default.enumerator(atPath: directory.path + "/blobs/sha256")?.allObjects as? [String] ?? []
        #expect(stored.filter { $0.split(separator: "/").count == 3 }.isEmpty)

        let sweep = try await LGSPProcess.run(["blobs", "sweep", "--older-than-hours", "0"], environment: environment)
        #expect(sweep.status == 0)
        #expect(partialFile() == nil)

        // A complete write through the same command does store the blob.
        let complete = try LGSPProcess(["blobs", "put", "-"], environment: environment)
        complete.stdin.fileHandleForWriting.write(chunk)
        try complete.stdin.fileHandleForWriting.close()
        #expect(try await complete.wait() == 0)
        #expect(complete.standardOutput.hasPrefix("sha256:"))
        #expect(complete.standardOutput.contains(" \(1 << 20)"))
    }

    /// `lgsp serve` prints its URL, answers, and exits 0 on SIGTERM after closing the database.
    @Test func serveStopsGracefullyOnSIGTERM() async throws {
        try await Self.withEnvironment { environment, _, _ in
            var environment = environment
            environment["LGSP_LOG_LEVEL"] = "info"
            let server = try LGSPProcess(["serve", "--port", "0"], environment: environment)
            let output = try await server.waitForOutput(containing: "http://")
            let url = try #require(output.split(separator: " ").first { $0.hasPrefix("http://") }).trimmingCharacters(in: .whitespaces)
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let response = try await client.execute(HTTPClientRequest(url: url + "/health/services"), timeout: .seconds(10))
            #expect(response.status.code == 200)
            try await client.shutdown()
            server.signal(SIGTERM)
            #expect(try await server.wait(timeout: .seconds(20)) == 0)
            #expect(server.standardError.contains("Đã đóng cơ sở dữ liệu"))
        }
    }
}
