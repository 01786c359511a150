import Foundation
import Logging
import ScribeCore
import ScribeStore

/// Runs one job's pipeline in the worker process (SPEC §3) and always ends it in a final state: completed,
/// failed with a message, paused, cancelled, or queued again for a transient failure. Only a kill -9 or a
/// power cut escapes, and then the dispatcher rescues the job.
public final class JobRunner {
    let config: Config
    let jobID: String
    /// The job's fenced writes.
    let lease: LeaseStore
    /// What the steps read (the job's own row and checkpoint too): the same lease store, seen through what the
    /// steps need of it.
    var source: any PipelineSource { lease }
    let control: WorkerControl
    let logger: Logger
    let backoff: Backoff
    let workDir: String
    var attempt: Int
    /// The step in progress and when it began: each step's line in the worker's log says how long the last one took.
    private var stepStarted = (name: "start", at: Date())

    public enum Outcome: Int32 {
        case finished = 0  // a final state was written
        case leaseLost = 3  // another attempt owns the job now; nothing was written
        case databaseLost = 4  // the dispatcher will release the job
    }

    public init(config: Config, jobID: String, leaseToken: String, attempt: Int, logger: Logger) throws {
        self.config = config
        self.jobID = jobID
        self.attempt = attempt
        var l = logger
        l[metadataKey: "job.id"] = "\(jobID)"
        l[metadataKey: "job.attempt"] = "\(attempt)"
        self.logger = l
        let db = try Connection(url: config.databaseURL, applicationName: "scribe-worker")
        self.lease = LeaseStore(db: db, jobID: jobID, lease: leaseToken)
        self.control = WorkerControl(
            url: config.databaseURL, jobID: jobID, lease: leaseToken, heartbeatSeconds: config.heartbeatSeconds, logger: l)
        self.backoff = Backoff(baseSeconds: config.retryBaseSeconds)
        self.workDir = "\(config.dataDir)/jobs/\(jobID)"
    }

    public func run() -> Outcome {
        WorkerControl.installSignalHandlers()
        control.start()
        defer { control.stop() }
        let cloneDir = "\(workDir)/clone"
        // The clone is removed whatever happens (a killed earlier attempt may have left one too), except by a
        // worker that lost its lease: the folder is the new attempt's now, and deleting it would be a late write
        // that no fence stops. Whatever an ended job leaves, the dispatcher's sweep removes.
        try? FileManager.default.removeItem(atPath: cloneDir)
        let outcome = runPipeline(cloneDir: cloneDir)
        if outcome != .leaseLost { try? FileManager.default.removeItem(atPath: cloneDir) }
        return outcome
    }

    private func runPipeline(cloneDir: String) -> Outcome {
        do {
            try pipeline(cloneDir: cloneDir)
            return .finished
        } catch let e as PipelineError {
            return finish(e)
        } catch let e as PGError {
            logger.error("database error", metadata: ["error": "\(e.description)"])
            if e.isConnectionError { return .databaseLost }
            return finish(.transient("Internal database error (\(e.statement))"))
        } catch {
            logger.error("pipeline error", metadata: ["error": "\(error)"])
            return finish(.transient("\(error)"))
        }
    }

    /// Writes the final state that matches the error. Each write is fenced by the lease. A job that ended
    /// failed or cancelled loses its work folder (clone, pages so far): nothing will resume from it, and a
    /// retry starts from its checkpoint's rows, regenerating pages it no longer finds.
    private func finish(_ e: PipelineError) -> Outcome {
        do {
            // The error says which event ends the attempt; the store runs its statement and the table its state.
            let event: JobEvent
            var message = ""
            switch e {
            case .fatal(let m):
                logger.error("job failed", metadata: ["error": "\(m)"])
                (event, message) = (.fail, m)
            case .transient(let m):
                logger.warning("transient failure", metadata: ["error": "\(m)"])
                (event, message) = (.requeue, m)
            case .stopped(.cancel):
                event = .cancel
            case .stopped(.pause):
                event = .pause
            case .stopped(.terminated):
                if try lease.handBack() {
                    logger.warning("stopped by a signal; job handed back without using up an attempt")
                    return .finished
                }
                (event, message) = (.requeue, "The worker was stopped by a signal")
            case .stopped(.leaseLost):
                logger.warning("lease lost; stopping without writing")
                return .leaseLost
            }
            let state = try lease.end(event, message: message, delaySeconds: backoff.delay(attempt: attempt))
            guard let state else { return .leaseLost }
            if state == .failed || state == .cancelled { try? FileManager.default.removeItem(atPath: workDir) }
            return .finished
        } catch {
            logger.error("cannot record the job's final state", metadata: ["error": "\(error)"])
            return .databaseLost
        }
    }

    // MARK: Checks

    /// Applies what a fenced write or the control thread learnt. Pause is honoured only at object boundaries.
    func check(_ s: LeaseStore.Signals? = nil, allowPause: Bool = false) throws {
        if let s { control.merge(s) }
        let (sig, terminated) = control.current
        if sig.leaseLost { throw PipelineError.stopped(.leaseLost) }
        if sig.cancelRequested { throw PipelineError.stopped(.cancel) }
        if terminated { throw PipelineError.stopped(.terminated) }
        if allowPause && sig.pauseRequested { throw PipelineError.stopped(.pause) }
    }

    /// For long tools: a reason to stop them now, or nil.
    func watchReason() -> String? {
        let (sig, terminated) = control.current
        if sig.cancelRequested || sig.leaseLost || terminated { return "stopped" }
        return nil
    }

    /// Every step boundary honours a pause as well as a cancel: nothing of the step has started yet.
    func step(_ m: Milestone, _ detail: String? = nil) throws {
        let line = detail.map { "\(m.logLine) \($0)" } ?? m.logLine
        let now = Date()
        logger.info(
            "\(line)",
            metadata: [
                "job.progress": "\(m.rawValue)", "previous.step": "\(stepStarted.name)",
                "previous.seconds": "\(String(format: "%.3f", now.timeIntervalSince(stepStarted.at)))",
            ])
        stepStarted = (m.step, now)
        try check(try lease.step(progress: m.rawValue, step: m.step, logLine: line), allowPause: true)
    }

    /// Runs a step made of tools (clone, analysis, writing) that a cancel or a pause stops at once: the control
    /// thread trips the stop switch, which kills the tools' process groups. Then the stop is the outcome, not
    /// whatever error the killed tool left behind.
    func stoppable<T>(_ body: () throws -> T) throws -> T {
        control.setPauseStopsTools(true)
        defer { control.setPauseStopsTools(false) }
        let result = Result(catching: body)
        try check(allowPause: true)
        // Tripped with no cancel, lease loss or signal left to explain it: a pause that was then withdrawn.
        // The step's work is gone all the same, so the job pauses and the resume starts the step again.
        if control.stopSwitch.isTripped { throw PipelineError.stopped(.pause) }
        return try result.get()
    }

    /// Sleeps in small slices so that cancel and pause are noticed (the throttle used by tests and demos).
    func throttle() throws {
        var left = config.objectDelayMilliseconds
        while left > 0 {
            let slice = min(left, 50)
            usleep(useconds_t(slice * 1000))
            left -= slice
            try check()
        }
    }
}
