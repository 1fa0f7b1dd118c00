import Testing

@testable import Core

@Suite struct ConfigurationTests {
    @Test func defaultsServeALaptop() throws {
        let configuration = try Configuration.resolve(flags: [:], environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.dataDirectory == "./data")
        #expect(configuration.environment == .development)
        #expect(configuration.logLevel == .info)
        #expect(configuration.maxBodySize.bytes == 10 << 20)
        #expect(configuration.databaseLocation == .sqlite(path: "./data/lgsp.sqlite"))
        #expect(configuration.blobDirectory == "./data/blobs")
    }

    @Test func environmentVariablesAndFlagsInThatOrderOfPrecedence() throws {
        let environment = [
            "LGSP_HOST": "0.0.0.0", "LGSP_PORT": "9000", "LGSP_DATA_DIR": "/var/lib/lgsp",
            "LGSP_ENV": "production", "LGSP_LOG_LEVEL": "warning", "LGSP_MAX_BODY_SIZE": "1MiB",
            "LGSP_DATABASE_URL": "postgres://lgsp:secret@db.internal:5433/lgsp?sslmode=require",
        ]
        let fromEnvironment = try Configuration.resolve(flags: [:], environment: environment)
        #expect(fromEnvironment.host == "0.0.0.0")
        #expect(fromEnvironment.port == 9000)
        #expect(fromEnvironment.environment == .production)
        #expect(fromEnvironment.logLevel == .warning)
        #expect(fromEnvironment.maxBodySize.bytes == 1 << 20)
        guard case .postgres(let postgres) = fromEnvironment.databaseLocation else {
            Issue.record("expected PostgreSQL")
            return
        }
        #expect(postgres.host == "db.internal" && postgres.port == 5433 && postgres.database == "lgsp")
        #expect(postgres.username == "lgsp" && postgres.password == "secret" && postgres.tls == .require)
        #expect(!postgres.redactedDescription.contains("secret"))

        let flagged = try Configuration.resolve(flags: [.port: "7000", .env: "test"], environment: environment)
        #expect(flagged.port == 7000)
        #expect(flagged.environment == .test)
        #expect(flagged.host == "0.0.0.0")
    }

    @Test func settingNamesAreStable() {
        // Operators script against these names.
        #expect(Configuration.Setting.allCases.map(\.flag) == [
            "--host", "--port", "--data-dir", "--database-url", "--database-timeout", "--env", "--log-level", "--max-body-size",
            "--master-key", "--public-url", "--bcrypt-cost", "--login-max-failures", "--login-lockout", "--login-lockout-max",
            "--login-rate-limit", "--access-token-ttl", "--id-token-ttl", "--refresh-token-idle", "--refresh-token-max",
            "--sso-session-idle", "--sso-session-max", "--identity-providers", "--seed-dir", "--catalog-sync-url", "--catalog-sync-interval", "--operator-agency",
            "--previous-master-keys", "--upload-expiry", "--upload-max-size", "--public-holidays",
        ])
        #expect(Configuration.Setting.allCases.map(\.environmentVariable) == [
            "LGSP_HOST", "LGSP_PORT", "LGSP_DATA_DIR", "LGSP_DATABASE_URL", "LGSP_DATABASE_TIMEOUT", "LGSP_ENV", "LGSP_LOG_LEVEL",
            "LGSP_MAX_BODY_SIZE", "LGSP_MASTER_KEY", "LGSP_PUBLIC_URL", "LGSP_BCRYPT_COST", "LGSP_LOGIN_MAX_FAILURES",
            "LGSP_LOGIN_LOCKOUT", "LGSP_LOGIN_LOCKOUT_MAX", "LGSP_LOGIN_RATE_LIMIT", "LGSP_ACCESS_TOKEN_TTL", "LGSP_ID_TOKEN_TTL",
            "LGSP_REFRESH_TOKEN_IDLE", "LGSP_REFRESH_TOKEN_MAX", "LGSP_SSO_SESSION_IDLE", "LGSP_SSO_SESSION_MAX", "LGSP_IDENTITY_PROVIDERS",
            "LGSP_SEED_DIR", "LGSP_CATALOG_SYNC_URL", "LGSP_CATALOG_SYNC_INTERVAL", "LGSP_OPERATOR_AGENCY",
            "LGSP_PREVIOUS_MASTER_KEYS", "LGSP_UPLOAD_EXPIRY", "LGSP_UPLOAD_MAX_SIZE", "LGSP_PUBLIC_HOLIDAYS",
        ])
    }

    @Test(arguments: [
        (Configuration.Setting.port, "80000"), (.port, "http"), (.env, "staging"), (.logLevel, "loud"),
        (.maxBodySize, "10 parsecs"), (.maxBodySize, "0"), (.databaseURL, "mysql://x@y/z"), (.databaseURL, "postgres://host-without-user/db"),
        (.host, ""), (.masterKey, "too-short"), (.databaseTimeout, "0s"), (.databaseTimeout, "soon"),
        (.publicURL, "ftp://x"), (.publicURL, "https://x/?a=1"), (.bcryptCost, "3"), (.bcryptCost, "32"),
        (.accessTokenTTL, "never"), (.loginMaxFailures, "0"), (.publicHolidays, "2026-02-30"), (.publicHolidays, "1/1"),
    ])
    func invalidValuesAreRefusedNamingTheSetting(setting: Configuration.Setting, value: String) {
        #expect {
            try Configuration.resolve(flags: [setting: value], environment: [:])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.setting == setting && error.description.contains(setting.environmentVariable)
        }
    }

    @Test func issuerDefaultsToTheListeningAddress() throws {
        #expect(try Configuration.resolve(flags: [:], environment: [:]).issuer == "http://127.0.0.1:8080")
        #expect(try Configuration.resolve(flags: [.host: "0.0.0.0", .port: "9000"], environment: [:]).issuer == "http://127.0.0.1:9000")
        #expect(try Configuration.resolve(flags: [.publicURL: "https://lgsp.example.vn/"], environment: [:]).issuer == "https://lgsp.example.vn")
    }

    @Test func productionRequiresABcryptCostOfTenOrMore() {
        #expect(throws: ConfigurationError.self) {
            try Configuration.resolve(flags: [.env: "production", .bcryptCost: "8"], environment: [:])
        }
        #expect((try? Configuration.resolve(flags: [.env: "test", .bcryptCost: "4"], environment: [:]))?.sso.bcryptCost == 4)
    }

    @Test func percentEncodedCredentialsAreDecodedOnce() throws {
        guard case .postgres(let location) = try #require(DatabaseLocation(url: "postgres://us%40er:p%40ss%2541@db/x")) else {
            Issue.record("expected PostgreSQL")
            return
        }
        #expect(location.username == "us@er")
        #expect(location.password == "p@ss%41")
    }

    @Test(arguments: [("500ms", 500), ("30s", 30_000), ("30", 30_000), ("5m", 300_000), ("8h", 28_800_000), ("1d", 86_400_000)])
    func durations(text: String, milliseconds: Int64) {
        #expect(DurationValue(parsing: text)?.duration == .milliseconds(milliseconds))
    }

    @Test func databaseURLPasswordIsNeverEchoed() {
        do {
            _ = try Configuration.resolve(flags: [.databaseURL: "postgres://u:hunter2@h/db?bogus=1"], environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test(arguments: [
        ("1024", 1024), ("10MB", 10_000_000), ("10MiB", 10 << 20), ("512 KiB", 512 << 10), ("1GiB", 1 << 30), ("2g", 2_000_000_000),
    ])
    func byteSizes(text: String, bytes: Int) {
        #expect(ByteSize(parsing: text)?.bytes == bytes)
    }

    @Test func byteSizeRejectsNonsense() {
        #expect(ByteSize(parsing: "") == nil)
        #expect(ByteSize(parsing: "MiB") == nil)
        #expect(ByteSize(parsing: "-5") == nil)
        #expect(ByteSize(parsing: "99999999999999999999") == nil)
        #expect(ByteSize(parsing: "9999999999GiB") == nil)
    }
}
