import Dispatch
import Foundation
import Logging
import ScribeCore
import ScribeCrypto
import ScribeNet
import ScribeStore

/// Sends webhook events: claims due deliveries (rows the database wrote when each job ended), POSTs each
/// one signed, and records the attempt. A 2xx is delivered; anything else is tried again with exponential
/// backoff and jitter until a day after the first attempt; an address the rules refuse is failed at once.
/// Runs on a thread of its own next to the dispatcher's (never in a request, never in a worker), woken by
/// the job channel when a job ends; several dispatchers share the work through the claim.
public final class WebhookDelivery: Sendable {
    /// How long after the first attempt a delivery is retried before it is failed for good.
    public static let retryWindowSeconds = 24.0 * 3600
    /// At most this many attempts run at once in one process.
    static let batch = 8

    private let config: Config
    private let logger: Logger
    private let box: SecretBox?
    private let backoff: Backoff
    private let client: HTTPClient
    private let stopped = StopFlag()

    public init(config: Config, logger: Logger) {
        self.config = config
        self.logger = logger
        self.box = config.secretKeyHex.flatMap { try? SecretBox(hexKey: $0) }
        self.backoff = Backoff(baseSeconds: config.webhookRetryBaseSeconds, capSeconds: 3600)
        // Redirects are never followed and every connection's address is checked after DNS (HTTPClient).
        self.client = HTTPClient(
            timeoutSeconds: config.webhookTimeoutSeconds, connectTimeoutSeconds: min(config.webhookTimeoutSeconds, 5),
            maxBodyBytes: 1 << 20, userAgent: "Scribe-Webhooks/\(ScribeVersion.string)",
            allowPrivateNetworks: config.allowPrivateNetworks)
    }

    public func stop() { stopped.set() }

    /// Runs until stopped, on a thread of its own; a lost database is retried.
    public func start() {
        startRetryingThread(
            name: "webhooks", stopped: stopped, logger: logger, lost: "webhook sender lost the database; retrying"
        ) {
            [self] in try loop()
        }
    }

    private func loop() throws {
        let listener = try JobChangeListener(url: config.databaseURL, applicationName: "scribe webhooks")
        let store = listener.webhooks
        var nextCheck = Date()
        while !stopped.isSet {
            if Date() >= nextCheck {
                if try sendDue(store) > 0 { continue }
                // A retry falls due on its own time; at most every 5 s the table is looked at anyway.
                nextCheck = Date().addingTimeInterval(min(max(try store.secondsUntilNextDue() ?? 5, 0.05), 5))
            }
            listener.wait(timeoutSeconds: max(nextCheck.timeIntervalSinceNow, 0.01))
            // A job that ends wakes the sender at once (its NOTIFY, sent at the commit that wrote the
            // deliveries); the many progress changes of running jobs cost nothing here.
            if try listener.changes().contains(where: { JobState(rawValue: $0.status)?.isTerminal == true }) {
                nextCheck = Date()
            }
        }
    }

    /// One pass for cron (`scribe dispatch`): everything due now.
    public func runDue(databaseURL: String) throws {
        let store = WebhookStore(try Connection(url: databaseURL, applicationName: "scribe webhooks"))
        while try sendDue(store) > 0 {}
    }

    /// Claims a batch of due deliveries, sends them at once, records each; returns how many were claimed.
    @discardableResult
    func sendDue(_ store: WebhookStore) throws -> Int {
        // The claim outlasts an attempt (connection and transfer are both bounded by the timeout).
        let claimed = try store.claimDue(limit: Self.batch, lockSeconds: Double(config.webhookTimeoutSeconds) * 2 + 30)
        guard !claimed.isEmpty else { return 0 }
        let results = Locked([Int: Attempt]())
        DispatchQueue.concurrentPerform(iterations: claimed.count) { i in
            let a = attempt(claimed[i])
            results.withLock { $0[i] = a }
        }
        let all = results.withLock { $0 }
        for (i, d) in claimed.enumerated() {
            guard let a = all[i] else { continue }
            try store.record(
                id: d.event.deliveryID, attempt: d.attempt, httpStatus: a.httpStatus, error: a.error, outcome: a.outcome
            )
            var meta: Logger.Metadata = [
                "webhook.id": "\(d.webhookID)", "delivery.id": "\(d.event.deliveryID)", "job.id": "\(d.event.jobID)",
                "delivery.attempt": "\(d.attempt)",
            ]
            if let s = a.httpStatus { meta["http.status"] = "\(s)" }
            if let e = a.error { meta["error"] = "\(e)" }
            switch a.outcome {
            case .delivered: logger.info("webhook delivered", metadata: meta)
            case .retry(let s):
                meta["delivery.retry_in_seconds"] = "\(Int(s.rounded(.up)))"
                logger.warning("webhook delivery failed; will retry", metadata: meta)
            case .failed: logger.warning("webhook delivery failed for good", metadata: meta)
            }
        }
        return claimed.count
    }

    struct Attempt: Sendable {
        var httpStatus: Int?
        var error: String?
        var outcome: WebhookStore.Outcome
    }

    /// One POST. The URL and the body are never logged (a URL may carry a receiver's token), the secret
    /// never leaves this function but as the signature.
    func attempt(_ d: WebhookStore.Claimed) -> Attempt {
        guard let box else {
            return retryOrFail(d, status: nil, "secret storage is not configured on this server (SCRIBE_SECRET_KEY)")
        }
        let secret: String
        do {
            secret = try box.open(d.sealedSecret)
        } catch {
            return retryOrFail(
                d, status: nil, "the webhook's secret could not be decrypted (was SCRIBE_SECRET_KEY changed?)")
        }
        let body = d.event.body(publicURL: config.publicURL)
        let timestamp = Int(Date().timeIntervalSince1970)
        let headers = [
            ("Content-Type", "application/json"), ("X-Scribe-Event", d.event.event),
            ("X-Scribe-Delivery", d.event.deliveryID),
            ("X-Scribe-Timestamp", String(timestamp)),
            ("X-Scribe-Signature", WebhookSignature.sign(secret: secret, timestamp: timestamp, body: body)),
        ]
        do {
            let r = try client.send(method: "POST", url: d.url, headers: headers, body: body)
            if (200..<300).contains(r.status) { return Attempt(httpStatus: r.status, error: nil, outcome: .delivered) }
            let why =
                (300..<400).contains(r.status) ? "HTTP \(r.status): redirects are not followed" : "HTTP \(r.status)"
            return retryOrFail(d, status: r.status, why)
        } catch let e as CurlError {
            // Where the address is refused, it stays refused: no retry.
            if e.refusedAddress { return Attempt(httpStatus: nil, error: e.message, outcome: .failed) }
            return retryOrFail(d, status: nil, e.message)
        } catch {
            return retryOrFail(d, status: nil, "\(error)")
        }
    }

    private func retryOrFail(_ d: WebhookStore.Claimed, status: Int?, _ why: String) -> Attempt {
        let delay = backoff.delay(attempt: d.attempt)
        if d.secondsSinceFirstAttempt + delay > Self.retryWindowSeconds {
            return Attempt(
                httpStatus: status, error: "\(why); no more attempts (retried for 24 hours)", outcome: .failed)
        }
        return Attempt(httpStatus: status, error: why, outcome: .retry(afterSeconds: delay))
    }
}
