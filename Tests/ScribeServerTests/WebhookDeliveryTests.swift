import Foundation
import Logging
import ScribeCore
import ScribeNet
import ScribeCrypto
@testable import ScribeQueue
import ScribeStore
import Testing

/// One attempt's outcome, against real sockets: retried while the day lasts, failed after it, failed at
/// once where the address rules refuse the connection (checked after DNS).
@Suite struct WebhookDeliveryTests {
    static let key = String(repeating: "cd", count: 32)

    func sender(allowPrivate: Bool) throws -> WebhookDelivery {
        let config = try Config.fromEnvironment([
            "DATABASE_URL": "postgresql://unused", "SCRIBE_SECRET_KEY": Self.key,
            "SCRIBE_ALLOW_PRIVATE_NETWORKS": allowPrivate ? "1" : "0", "SCRIBE_WEBHOOK_TIMEOUT_SECONDS": "2",
        ])
        return WebhookDelivery(config: config, logger: Logger(label: "test"))
    }

    /// A claimed delivery to a port on this machine where nothing listens (discard, 9).
    func claimed(url: String = "http://127.0.0.1:9/hook", attempt: Int, since: Double) throws -> WebhookStore.Claimed {
        let event = WebhookEvent(
            event: "job.completed", deliveryID: UUID().uuidString.lowercased(), jobID: UUID().uuidString.lowercased(),
            repositoryID: UUID().uuidString.lowercased(), repositoryURL: "https://github.com/o/r", status: "completed",
            partial: false, processedObjects: 2, failedObjects: 0, totalObjects: 2, errorMessage: nil,
            resolvedCommit: nil,
            finishedAt: "2026-01-01T00:00:00.000000Z")
        return WebhookStore.Claimed(
            event: event, webhookID: UUID().uuidString.lowercased(), url: url,
            sealedSecret: try SecretBox(hexKey: Self.key).seal("whsec_x"), attempt: attempt,
            secondsSinceFirstAttempt: since)
    }

    @Test func aNetworkErrorIsRetriedWithBackoffUntilADayHasPassed() throws {
        let s = try sender(allowPrivate: true)
        let early = s.attempt(try claimed(attempt: 1, since: 0))
        guard case .retry(let delay) = early.outcome else {
            Issue.record("expected a retry, got \(early.outcome)")
            return
        }
        #expect(delay >= 15 && delay <= 30)  // base 30 s, equal jitter
        #expect(early.httpStatus == nil && early.error != nil)
        let late = s.attempt(try claimed(attempt: 30, since: WebhookDelivery.retryWindowSeconds - 60))
        #expect(late.outcome == .failed)
        #expect(late.error?.contains("no more attempts") == true)
    }

    @Test func aRefusedAddressFailsAtOnceWithTheReason() throws {
        let a = try sender(allowPrivate: false).attempt(
            try claimed(url: "http://localhost:9/hook", attempt: 1, since: 0))
        #expect(a.outcome == .failed)
        #expect(a.error?.contains("loopback") == true)
    }

    @Test func aSecretSealedWithAnotherKeyIsRetriedNotSentUnsigned() throws {
        var c = try claimed(attempt: 1, since: 0)
        c = WebhookStore.Claimed(
            event: c.event, webhookID: c.webhookID, url: c.url,
            sealedSecret: try SecretBox(hexKey: String(repeating: "01", count: 32)).seal("other"), attempt: 1,
            secondsSinceFirstAttempt: 0)
        let a = try sender(allowPrivate: true).attempt(c)
        #expect(a.error?.contains("could not be decrypted") == true)
        if case .retry = a.outcome {} else { Issue.record("expected a retry, got \(a.outcome)") }
    }
}
