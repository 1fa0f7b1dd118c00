import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LGSPTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import Testing

@testable import App
@testable import Catalogs
@testable import NationalSim

/// Synchronization with the national data dictionary (R-7.1b-catalog: "synchronized with the national
/// shared catalogs") and change notification, against the stand-in on a real loopback socket.
@Suite struct CatalogSyncTests {
    static let base = CatalogHarness.base

    /// The dictionary stand-in (pages of `pageSize`) and a platform that syncs from it.
    static func withDictionary(
        pageSize: Int = 500, configure: @escaping @Sendable (inout Configuration) -> Void = { _ in },
        _ body: @escaping @Sendable (NationalDictionary, CatalogHarness) async throws -> Void
    ) async throws {
        let dictionary = try NationalDictionary(directory: TestPlatform.seedData + "/catalogs", pageSize: pageSize, logger: TestDatabase.logger)
        let vdxp = VDXPSimulator(baseURL: "", citizens: [], clients: [], logger: TestDatabase.logger)
        let sim = try await NationalSimServer.start(vdxp, dictionary: dictionary, logger: TestDatabase.logger)
        do {
            try await CatalogHarness.with(configure: { configuration in
                configuration.catalogs.syncURL = sim.url + NationalDictionary.basePath
                configure(&configuration)
            }) { harness in
                try await body(dictionary, harness)
            }
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }

    func sync(_ harness: CatalogHarness, _ key: String? = nil, token: String) async throws -> JSONValue {
        let response = try await harness.send(.post, "\(Self.base)/\(key.map { "\($0)/" } ?? "")sync", bearer: token)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try #require(response.json)
    }

    func versionNumbers(_ harness: CatalogHarness, _ key: String) async throws -> [Int] {
        try await harness.platform.catalogs.store.versions(of: key).map(\.info.number)
    }

    // Acceptance: an unchanged source gives no new version (and, once the ETag is known, reads no pages).
    @Test func unchangedSourceCreatesNoVersion() async throws {
        try await Self.withDictionary { dictionary, harness in
            let admin = try await harness.adminToken()
            let first = try await sync(harness, token: admin)
            let reports = try #require(first["items"]?.arrayValue)
            #expect(reports.count == 7)
            #expect(reports.allSatisfy { $0["outcome"] == "unchanged" }, "\(reports)")
            for key in ["dan-toc", "don-vi-hanh-chinh", "don-vi-hanh-chinh-truoc-2025", "quoc-tich"] {
                #expect(try await versionNumbers(harness, key) == [1])
            }
            let pages = dictionary.pageRequests
            let again = try await sync(harness, "don-vi-hanh-chinh", token: admin)
            #expect(again["outcome"] == "unchanged")
            // A second look costs a 304 only when the current version came from this source; seeded
            // content is re-read and compared by digest.
            #expect(dictionary.pageRequests >= pages)
            #expect(try await versionNumbers(harness, "don-vi-hanh-chinh") == [1])
        }
    }

    // Acceptance: a changed source gives exactly one new version with the right diff, audited.
    @Test func changedSourceCreatesOneVersionWithItsDiff() async throws {
        try await Self.withDictionary { dictionary, harness in
            let admin = try await harness.adminToken()
            dictionary.update("don-vi-hanh-chinh", label: "2026 (thử nghiệm)") { concepts in
                concepts.removeAll { $0["code"] == "24121" }
                if let index = concepts.firstIndex(where: { $0["code"] == "24133" }), case .object(var ward) = concepts[index] {
                    ward["display"] = "Phường Buôn Ma Thuột Mới"
                    concepts[index] = .object(ward)
                }
                concepts.append(["code": "99001", "display": "Xã Thử Nghiệm", "parent": "66", "level": "commune", "validFrom": "2026-01-01"])
            }
            let report = try await sync(harness, "don-vi-hanh-chinh", token: admin)
            #expect(report["outcome"] == "updated", "\(report)")
            #expect(report["version"] == 2 && report["previousVersion"] == 1)
            #expect(report["summary"]?["added"] == 1 && report["summary"]?["removed"] == 1 && report["summary"]?["changed"] == 1)
            #expect(try await versionNumbers(harness, "don-vi-hanh-chinh") == [1, 2])

            let diff = try await harness.json("\(Self.base)/don-vi-hanh-chinh/diff")
            #expect(diff["from"] == 1 && diff["to"] == 2)
            #expect(diff["added"]?.arrayValue?.first?["code"] == "99001")
            #expect(diff["removed"]?.arrayValue?.first?["code"] == "24121")
            #expect(diff["changed"]?.arrayValue?.first?["fields"]?.arrayValue?.first?["to"] == "Phường Buôn Ma Thuột Mới")
            let current = try await harness.json("\(Self.base)/don-vi-hanh-chinh/concepts/24133")
            #expect(current["display"] == "Phường Buôn Ma Thuột Mới" && current["version"] == 2)
            let version = try await harness.json("\(Self.base)/don-vi-hanh-chinh/versions/2")
            #expect(version["origin"] == "sync" && version["label"] == "2026 (thử nghiệm)" && version["sourceVersion"] == "2")

            let audit = try await harness.platform.services.audit.entries(after: 0, limit: 100_000)
            let publish = try #require(audit.last { $0.event.action == "catalogs.version.publish" })
            #expect(publish.event.objectID == "don-vi-hanh-chinh/2")
            #expect(publish.event.details["origin"] == "sync")
            #expect(publish.event.details["addedCodes"] == "99001" && publish.event.details["removedCodes"] == "24121" && publish.event.details["changedCodes"] == "24133")

            // Nothing new: no third version; the ETag now saves reading the pages.
            let pages = dictionary.pageRequests
            let again = try await sync(harness, "don-vi-hanh-chinh", token: admin)
            #expect(again["outcome"] == "unchanged")
            #expect(dictionary.pageRequests == pages)
            #expect(try await versionNumbers(harness, "don-vi-hanh-chinh") == [1, 2])
            // A new dictionary version with the same content: read, compared, no new version.
            dictionary.update("don-vi-hanh-chinh") { _ in }
            let same = try await sync(harness, "don-vi-hanh-chinh", token: admin)
            #expect(same["outcome"] == "unchanged")
            #expect(try await versionNumbers(harness, "don-vi-hanh-chinh") == [1, 2])
        }
    }

    // Acceptance: a source failing mid-way leaves the previous version current, with nothing half-written.
    @Test func failingSourceKeepsThePreviousVersion() async throws {
        try await Self.withDictionary { dictionary, harness in
            let admin = try await harness.adminToken()
            dictionary.update("don-vi-hanh-chinh") { concepts in
                concepts.append(["code": "99002", "display": "Xã Mới", "parent": "66"])
            }
            let before = try await harness.get("\(Self.base)/don-vi-hanh-chinh/concepts/24133")
            let etag = try #require(before.headers[.eTag])
            var faults: [(DictionaryFaults, String)] = []
            var failPage = DictionaryFaults()
            failPage.failPage = 4  // 3,356 concepts in pages of 500: the fourth of seven fails
            faults.append((failPage, "HTTP 500 ở trang 4/7"))
            var changing = DictionaryFaults()
            changing.changeVersionAtPage = 3
            faults.append((changing, "đổi phiên bản trong lúc đọc"))
            var truncated = DictionaryFaults()
            truncated.wrongCount = true
            faults.append((truncated, "báo 3357 mã nhưng các trang có 3356"))
            var down = DictionaryFaults()
            down.unavailable = true
            faults.append((down, "HTTP 503"))
            for (fault, reason) in faults {
                dictionary.faults = fault
                let report = try await sync(harness, "don-vi-hanh-chinh", token: admin)
                #expect(report["outcome"] == "failed")
                #expect(report["detail"]?.stringValue?.contains(reason) == true, "\(report)")
                #expect(try await versionNumbers(harness, "don-vi-hanh-chinh") == [1])
                #expect(try await harness.get("\(Self.base)/don-vi-hanh-chinh/concepts/24133", headers: [.ifNoneMatch: etag]).status == .notModified)
            }
            // No stray rows: every concept belongs to version 1.
            let rows = try await harness.platform.database.sql.raw("SELECT COUNT(*) AS n FROM cat_concepts c JOIN cat_versions v ON v.id = c.version_id WHERE v.catalog_key = 'don-vi-hanh-chinh'").first()
            #expect(try rows?.decode(column: "n", as: Int.self) == 3355)
            // The failure is visible to operators and in the audit log.
            let list = try await harness.json(Self.base, bearer: admin)
            let entry = try #require(list["items"]?.arrayValue?.first { $0["key"] == "don-vi-hanh-chinh" })
            #expect(entry["lastSync"]?["outcome"] == "failed")
            let audit = try await harness.platform.services.audit.entries(after: 0, limit: 100_000)
            #expect(audit.filter { $0.event.action == "catalogs.sync" && $0.event.outcome == .failure }.count == 4)

            // Invalid content (a cycle) is refused the same way.
            dictionary.faults = DictionaryFaults()
            dictionary.update("ton-giao") { concepts in
                concepts.append(["code": "20", "display": "A", "parent": "21"])
                concepts.append(["code": "21", "display": "B", "parent": "20"])
            }
            let cyclic = try await sync(harness, "ton-giao", token: admin)
            #expect(cyclic["outcome"] == "failed" && cyclic["detail"]?.stringValue?.contains("vòng lặp") == true)
            // A mapping that no longer fits fails inside the transaction: rolled back, nothing kept.
            dictionary.update("don-vi-hanh-chinh-truoc-2025") { concepts in concepts.removeAll { $0["code"] == "24136" } }
            let broken = try await sync(harness, "don-vi-hanh-chinh-truoc-2025", token: admin)
            #expect(broken["outcome"] == "failed")
            #expect(try await versionNumbers(harness, "don-vi-hanh-chinh-truoc-2025") == [1])

            // Once the source is healthy the pending change arrives as one version.
            let healed = try await sync(harness, "don-vi-hanh-chinh", token: admin)
            #expect(healed["outcome"] == "updated" && healed["summary"]?["added"] == 1)
            #expect(try await versionNumbers(harness, "don-vi-hanh-chinh") == [1, 2])
        }
    }

    // Webhooks: signed POST on publish, retried with backoff until acknowledged; scheduled sync.
    @Test func subscribersAreNotifiedUntilTheyAcknowledge() async throws {
        let receiver = try await WebhookReceiver.start(statuses: [500, 503, 200])
        try await Self.withDictionary(configure: { configuration in
            configuration.catalogs.webhookRetry = [.milliseconds(100), .milliseconds(200)]
            configuration.catalogs.webhookPoll = .milliseconds(50)
            configuration.catalogs.syncInterval = DurationValue(.milliseconds(300))
        }) { dictionary, harness in
            let subscriber = try await harness.token(["catalogs.subscribe"], client: "subscriber")
            let created = try await harness.send(
                .post, "\(Self.base)/webhooks", bearer: subscriber, body: #"{"url":"\#(receiver.url)/hook","catalogs":["dan-toc"],"description":"Hệ thống một cửa"}"#
            )
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let secret = try #require(created.json?["secret"]?.stringValue)
            let hookID = try #require(created.json?["id"]?.stringValue)
            let other = try await harness.send(.post, "\(Self.base)/webhooks", bearer: subscriber, body: #"{"url":"\#(receiver.url)/other","catalogs":["quoc-tich"]}"#)
            #expect(other.status == .created)
            // The secret is shown once.
            let shown = try await harness.get("\(Self.base)/webhooks/\(hookID)", bearer: subscriber)
            #expect(shown.status == .ok && shown.json?["secret"] == nil)
            let bad = try await harness.send(.post, "\(Self.base)/webhooks", bearer: subscriber, body: #"{"url":"ftp://x"}"#)
            #expect(bad.status == .unprocessableContent)

            let background = Task { try await harness.platform.catalogs.runBackground() }

            // A change at the source arrives by the scheduled sync and is announced.
            dictionary.update("dan-toc") { concepts in concepts.append(["code": "56", "display": "Không xác định"]) }
            let deliveries = try await receiver.waitFor(count: 3, path: "/hook", seconds: 20)
            #expect(deliveries.map(\.status) == [500, 503, 200])
            let event = try #require(deliveries.last)
            #expect(Set(deliveries.map(\.eventID)).count == 1)
            #expect(WebhookSignature.verify(header: event.signature, body: event.body, secret: Data(secret.utf8), now: Int(Date().timeIntervalSince1970)))
            #expect(!WebhookSignature.verify(header: event.signature, body: event.body, secret: Data("whsec_wrong".utf8), now: Int(Date().timeIntervalSince1970)))
            let payload = try JSONDecoder().decode(JSONValue.self, from: event.body)
            #expect(payload["type"] == "catalog.version.published" && payload["catalog"] == "dan-toc" && payload["version"] == 2)
            #expect(payload["diff"]?["summary"]?["added"] == 1 && payload["diff"]?["addedCodes"]?.arrayValue == ["56"])
            #expect(try await versionNumbers(harness, "dan-toc") == [1, 2])

            // The delivery record shows the attempts.
            var record: JSONValue?
            for _ in 0..<50 {
                record = try await harness.json("\(Self.base)/webhooks/\(hookID)/deliveries", bearer: subscriber)["items"]?.arrayValue?.first
                if record?["status"] == "delivered" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(record?["status"] == "delivered" && record?["attempts"] == 3)
            // The subscriber of another catalog heard nothing.
            #expect(receiver.requests(path: "/other").isEmpty)
            // Others cannot see or remove this subscription.
            let stranger = try await harness.token(["catalogs.subscribe"], client: "stranger")
            #expect(try await harness.get("\(Self.base)/webhooks/\(hookID)", bearer: stranger).status == .notFound)
            #expect(try await harness.send(.delete, "\(Self.base)/webhooks/\(hookID)", bearer: stranger).status == .notFound)
            #expect(try await harness.send(.delete, "\(Self.base)/webhooks/\(hookID)", bearer: subscriber).status == .noContent)
            background.cancel()
            _ = await background.result
        }
        await receiver.stop()
    }
}

/// A loopback HTTP server that records webhook deliveries and answers with scripted statuses.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        let path: String
        let status: Int
        let eventID: String
        let signature: String
        let body: Data
    }

    let url: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let state: NIOLockedValueBox<(deliveries: [Delivery], statuses: [Int])>

    private init(url: String, group: ServiceGroup, task: Task<Void, any Error>, state: NIOLockedValueBox<(deliveries: [Delivery], statuses: [Int])>) {
        self.url = url
        self.group = group
        self.task = task
        self.state = state
    }

    static func start(statuses: [Int]) async throws -> WebhookReceiver {
        let state = NIOLockedValueBox<(deliveries: [Delivery], statuses: [Int])>(([], statuses))
        let router = Router()
        router.post("/**") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let status = state.withLockedValue { state -> Int in
                let status = request.uri.path == "/hook" && !state.statuses.isEmpty ? state.statuses.removeFirst() : 200
                state.deliveries.append(Delivery(
                    path: request.uri.path, status: status, eventID: request.headers[HTTPField.Name("X-LGSP-Event-Id")!] ?? "",
                    signature: request.headers[HTTPField.Name("X-LGSP-Signature")!] ?? "", body: Data(buffer: body)
                ))
                return status
            }
            return Response(status: .init(code: status))
        }
        let bound = NIOLockedValueBox<Int?>(nil)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in bound.withLockedValue { $0 = channel.localAddress?.port } },
            logger: TestDatabase.logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: TestDatabase.logger))
        let task = Task { try await group.run() }
        for _ in 0..<500 {
            if let port = bound.withLockedValue({ $0 }) {
                return WebhookReceiver(url: "http://127.0.0.1:\(port)", group: group, task: task, state: state)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ConventionViolation("webhook receiver did not start")
    }

    func requests(path: String) -> [Delivery] {
        state.withLockedValue { $0.deliveries.filter { $0.path == path } }
    }

    func waitFor(count: Int, path: String, seconds: Int) async throws -> [Delivery] {
        for _ in 0..<(seconds * 20) {
            let found = requests(path: path)
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("only \(requests(path: path).count) of \(count) deliveries arrived at \(path)")
        return requests(path: path)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
