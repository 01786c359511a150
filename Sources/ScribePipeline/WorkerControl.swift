import Foundation
import Logging
import ScribeStore

/// Set by the SIGTERM handler; read by the control thread.
nonisolated(unsafe) var terminationRequested: sig_atomic_t = 0

/// The worker's second thread: heartbeats every few seconds on its own connection, and LISTENs so that a
/// cancel or pause request is seen within a fraction of a second. The pipeline reads the flags at its
/// boundaries; a request that must not wait for a running tool (cancel, SIGTERM, a lost lease, and a pause
/// during the clone or the analysis) also trips the `StopSwitch`, which kills the tool's process group here,
/// on this thread, the moment the request arrives.
final class WorkerControl: @unchecked Sendable {
    // @unchecked: every stored var is read and written under `lock` only.
    private let lock = NSLock()
    private var signals = LeaseStore.Signals()
    private var terminated = false
    private var finished = false
    private var pauseStopsTools = false
    let stopSwitch: StopSwitch
    private let url: String
    private let jobID: String
    private let lease: String
    private let heartbeat: Double
    private let logger: Logger

    init(url: String, jobID: String, lease: String, heartbeatSeconds: Int, logger: Logger, stopSwitch: StopSwitch = .process) {
        self.stopSwitch = stopSwitch
        self.url = url
        self.jobID = jobID
        self.lease = lease
        self.heartbeat = Double(heartbeatSeconds)
        self.logger = logger
    }

    static func installSignalHandlers() {
        signal(SIGTERM) { _ in terminationRequested = 1 }
        signal(SIGINT) { _ in terminationRequested = 1 }
        signal(SIGPIPE, SIG_IGN)
    }

    var current: (signals: LeaseStore.Signals, terminated: Bool) {
        lock.lock()
        defer { lock.unlock() }
        return (signals, terminated)
    }

    func merge(_ s: LeaseStore.Signals) {
        lock.lock()
        // A lost lease and a cancel are final; a pause request can be withdrawn (resume before it was honoured).
        signals.leaseLost = signals.leaseLost || s.leaseLost
        signals.cancelRequested = signals.cancelRequested || s.cancelRequested
        if !s.leaseLost { signals.pauseRequested = s.pauseRequested }
        lock.unlock()
        tripIfStopping()
    }

    /// While on (the clone and the analysis, whose tools have no object boundary), a pause request stops the
    /// tools at once like a cancel; the job is paused with its checkpoint, and resuming starts the step again.
    func setPauseStopsTools(_ on: Bool) {
        lock.lock()
        pauseStopsTools = on
        lock.unlock()
        tripIfStopping()
    }

    private func tripIfStopping() {
        lock.lock()
        let reason: String?
        if signals.leaseLost {
            reason = "lease lost"
        } else if signals.cancelRequested {
            reason = "cancel requested"
        } else if terminated {
            reason = "terminated"
        } else if signals.pauseRequested && pauseStopsTools {
            reason = "pause requested"
        } else {
            reason = nil
        }
        lock.unlock()
        if let reason { stopSwitch.trip(reason) }
    }

    func stop() {
        lock.lock()
        finished = true
        lock.unlock()
    }

    private var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }

    func start() {
        let t = Thread { [self] in loop() }
        t.name = "worker-control"
        t.start()
    }

    private func loop() {
        var listener: JobChangeListener? = nil
        var lastBeat = Date.distantPast
        while !isFinished {
            if terminationRequested != 0 {
                lock.lock()
                terminated = true
                lock.unlock()
                tripIfStopping()
            }
            do {
                if listener == nil || !(listener!.isHealthy) {
                    listener = try JobChangeListener(url: url, applicationName: "scribe-worker control")
                }
                guard let l = listener else { continue }
                let store = l.lease(jobID: jobID, token: lease)
                if Date().timeIntervalSince(lastBeat) >= heartbeat {
                    merge(try store.heartbeat())
                    lastBeat = Date()
                }
                if l.wait(timeoutSeconds: 0.25) {
                    let mine = try l.changes().contains { $0.jobID == jobID }
                    if mine { merge(try store.poll()) }
                }
            } catch {
                logger.warning("control connection failed; retrying", metadata: ["error": "\(error)"])
                listener = nil
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
    }
}
