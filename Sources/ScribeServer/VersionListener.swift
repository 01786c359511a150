import Foundation
import Logging
import ScribeStore

/// A thread that LISTENs for job changes and keeps the version cache current, reconnecting when needed.
final class VersionListener {
    private let url: String
    private let cache: JobVersionCache
    private let logger: Logger
    /// Set to stop the thread (tests); a plain `while true` here also made the optimizer take minutes.
    private let stopped = Flag()

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
                let db = try Connection(url: url, applicationName: "scribe-fcgi listener")
                try db.execute("LISTEN scribe_jobs", name: "listen")
                cache.setConnected(true)
                backoff = 0.5
                while db.isHealthy && !stopped.isSet {
                    let woke = db.waitForNotifications(timeoutSeconds: 30)
                    for n in try db.drainNotifications() {
                        let f = n.payload.split(separator: " ")
                        guard f.count >= 4, let v = Int64(f[1]) else { continue }
                        cache.notified(String(f[0]), .init(version: v, organisationID: String(f[3])))
                    }
                    // After a quiet spell a round trip proves the connection is alive (a silent drop would
                    // otherwise leave the cache trusted and stale).
                    if !woke { try db.query("SELECT 1", name: "listener.ping") }
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
