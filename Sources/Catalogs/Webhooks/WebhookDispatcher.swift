import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore

/// Sends queued deliveries: POST with the signed event, 2xx is an acknowledgement, anything else is
/// retried on a growing schedule until acknowledged or `giveUpAfter` has passed since the event. 410 Gone
/// means the subscriber is gone: the webhook is switched off.
final class WebhookDispatcher: Sendable {
    let outbox: WebhookOutbox
    let logger: Logger
    let pollInterval: Duration
    /// Delay before attempt n+1 after n failures; the last entry repeats.
    let schedule: [Duration]
    let giveUpAfter: Duration
    let attemptTimeout: Duration
    private let wakeups: AsyncStream<Void>
    private let wakeupContinuation: AsyncStream<Void>.Continuation

    init(
        outbox: WebhookOutbox, logger: Logger, pollInterval: Duration = .seconds(2), schedule: [Duration] = CatalogSettings().webhookRetry,
        giveUpAfter: Duration = .seconds(72 * 3600), attemptTimeout: Duration = .seconds(10)
    ) {
        self.outbox = outbox
        self.logger = logger
        self.pollInterval = pollInterval
        self.schedule = schedule.isEmpty ? [.seconds(60)] : schedule
        self.giveUpAfter = giveUpAfter
        self.attemptTimeout = attemptTimeout
        (wakeups, wakeupContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Redirects are not followed: the signed body goes only where it was registered to go.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10)))
    )

    /// Sends what is due now instead of at the next poll (after a publish).
    func wake() {
        wakeupContinuation.yield()
    }

    /// Delivers until the task is cancelled: at every wake-up (a publish) and at least every `pollInterval`.
    func run() async {
        let interval = pollInterval
        let continuation = wakeupContinuation
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield()
                }
            }
            group.addTask { [wakeups] in
                for await _ in wakeups {
                    if Task.isCancelled { break }
                    do {
                        while try await self.deliverDue() > 0, !Task.isCancelled {}
                    } catch {
                        self.logger.warning("Không gửi được thông báo webhook", metadata: ["error": "\(SafeErrorDescription.describe(error))"])
                    }
                }
            }
            continuation.yield()
            await group.next()
            group.cancelAll()
        }
    }

    /// One pass: claims what is due and sends it, several at a time. Returns how many were attempted.
    @discardableResult
    func deliverDue(limit: Int = 16) async throws -> Int {
        let due = try await outbox.claimDue(limit: limit, lease: .seconds(Int64(attemptTimeout.components.seconds) + 60))
        await withTaskGroup(of: Void.self) { group in
            for item in due {
                group.addTask { await self.attempt(item) }
            }
        }
        return due.count
    }

    private func attempt(_ due: WebhookOutbox.Due) async {
        var delivery = due.delivery
        delivery.attempts += 1
        let body = Data(due.payload.utf8)
        var status: Int?
        var failure: String?
        do {
            guard let secret = try await outbox.secret(of: delivery.webhookID) else { return }
            var request = HTTPClientRequest(url: due.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.headers.add(name: "User-Agent", value: "LGSP-Webhooks/1")
            request.headers.add(name: "X-LGSP-Event-Id", value: delivery.eventID)
            request.headers.add(name: "X-LGSP-Event-Type", value: delivery.eventType)
            request.headers.add(name: "X-LGSP-Delivery", value: String(delivery.id))
            request.headers.add(name: "X-LGSP-Attempt", value: String(delivery.attempts))
            request.headers.add(
                name: WebhookSignature.header, value: WebhookSignature.sign(body: body, secret: secret, timestamp: Int(Date().timeIntervalSince1970))
            )
            request.body = .bytes(ByteBuffer(bytes: body))
            let timeout = attemptTimeout
            let prepared = request
            status = try await withDeadline(timeout) {
                let response = try await Self.client.execute(prepared, timeout: .seconds(Int64(timeout.components.seconds)))
                _ = try? await response.body.collect(upTo: 64 << 10)
                return Int(response.status.code)
            }
        } catch is DeadlineExceeded {
            failure = "không trả lời trong \(attemptTimeout)"
        } catch {
            failure = "không kết nối được (\(type(of: error)))"
        }
        delivery.lastStatus = status
        if let status, (200..<300).contains(status) {
            delivery.status = .delivered
            delivery.deliveredAt = Timestamp.now()
            delivery.lastError = nil
        } else {
            delivery.lastError = failure ?? "trả lời HTTP \(status ?? 0)"
            let age = Date().timeIntervalSince(Timestamp.date(from: delivery.createdAt) ?? Date())
            if status == 410 {
                delivery.status = .failed
                delivery.lastError = "410 Gone: bên nhận đã hủy; webhook đã bị tắt"
                try? await outbox.setActive(delivery.webhookID, false)
            } else if age >= Double(giveUpAfter.components.seconds) {
                delivery.status = .failed
            } else {
                let delay = schedule[min(delivery.attempts - 1, schedule.count - 1)]
                let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
                delivery.nextAttemptAt = Timestamp.string(from: Date().addingTimeInterval(seconds))
            }
            logger.notice("Gửi webhook chưa thành công", metadata: [
                "webhook": "\(delivery.webhookID)", "delivery": "\(delivery.id)", "attempt": "\(delivery.attempts)",
                "status": "\(status.map(String.init) ?? "-")", "next": "\(delivery.status == .pending ? delivery.nextAttemptAt : delivery.status.rawValue)",
            ])
        }
        do {
            try await outbox.record(delivery)
        } catch {
            logger.warning("Không ghi được kết quả gửi webhook", metadata: ["delivery": "\(delivery.id)", "error": "\(SafeErrorDescription.describe(error))"])
        }
    }
}
