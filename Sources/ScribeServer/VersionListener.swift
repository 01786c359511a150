import Foundation
import Logging
import ScribeCore
import ScribeStore

/// A thread that LISTENs for job changes and keeps the version cache current, reconnecting when needed.
final class VersionListener: Sendable {
    private let url: String
    private let cache: JobVersionCache
    private let logger: Logger
    /// Set to stop the thread (tests); a plain `while true` here also made the optimizer take minutes.
    private let stopped = StopFlag()

    init(url: String, cache: JobVersionCache, logger: Logger) {
        self.url = url
        self.cache = cache
        self.logger = logger
    }

    func start() {
        let t = Thread { [self] in loop() }
        t.name = "version-listener"
        t.start()
    }

    private func loop() {
        var backoff = 0.5
        while !stopped.isSet {
            do {
                let listener = try JobChangeListener(url: url, applicationName: "scribe-fcgi listener")
                cache.setConnected(true)
                backoff = 0.5
                while listener.isHealthy && !stopped.isSet {
                    let woke = listener.wait(timeoutSeconds: 30)
                    for change in try listener.changes() {
                        cache.notified(change.jobID, .init(version: change.version, organisationID: change.organisationID))
                    }
                    // After a quiet spell a round trip proves the connection is alive (a silent drop would
                    // otherwise leave the cache trusted and stale).
                    if !woke { try listener.ping() }
                }
            } catch {
                logger.warning("job listener disconnected; retrying", metadata: ["error": "\(error)"])
            }
            cache.setConnected(false)
            Thread.sleep(forTimeInterval: backoff)
            backoff = min(backoff * 2, 10)
        }
    }
}
