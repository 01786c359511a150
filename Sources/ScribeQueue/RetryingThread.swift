import Foundation
import Logging
import ScribeCore

/// Runs `body` on a thread of its own until `stopped` is set; when it throws (the database went away), it
/// runs again after a pause that doubles up to 10 s. The dispatcher and the webhook sender run this way.
func startRetryingThread(
    name: String, stopped: StopFlag, logger: Logger, lost: Logger.Message, _ body: @escaping @Sendable () throws -> Void
) {
    let t = Thread {
        var delay = 0.5
        while !stopped.isSet {
            do {
                try body()
            } catch {
                logger.warning(lost, metadata: ["error": "\(error)"])
            }
            Thread.sleep(forTimeInterval: delay)
            delay = min(delay * 2, 10)
        }
    }
    t.name = name
    t.start()
}
