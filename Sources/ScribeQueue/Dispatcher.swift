import Foundation
import Logging
import ScribeCore
import ScribeStore

/// Claims queued jobs (FOR UPDATE SKIP LOCKED), spawns a worker per job up to `SCRIBE_MAX_WORKERS`, reaps
/// them, releases the job of a worker that exits without a final state, and rescues jobs whose heartbeat
/// is older than the lease. Runs as a thread in scribe-fcgi, or in the foreground for `scribe dispatch`.
public final class Dispatcher: @unchecked Sendable {
    // @unchecked: `children` and `exited` are shared with the reaper threads and touched under `lock` only;
    // `lastGC` and `cancelSeen` belong to the loop's thread; `metrics` and `health` are attached before `start`;
    // `stopped` is a `StopFlag`; the wake pipe's descriptors are set in init and never change.
    private let config: Config
    private let logger: Logger
    private let launcher: WorkerLauncher
    private let host: String
    private let backoff: Backoff
    private let retention: Retention
    /// Sends the webhook events of jobs that ended, on a thread of its own.
    private let webhooks: WebhookDelivery
    /// Retention runs soon after a dispatcher starts, then every `SCRIBE_GC_SECONDS`.
    private var lastGC = Date.distantPast
    private var metrics: Metrics?
    private var health: WorkerStartHealth?

    private struct Child {
        let jobID: String
        let lease: String
        let attempt: Int
        let started: Date
        var termSentAt: Date?
    }

    private let lock = NSLock()
    private var children: [pid_t: Child] = [:]
    private var exited: [(pid_t, Int32)] = []
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private var cancelSeen: [String: Date] = [:]
    /// Ends the loops (tests, shutdown). Loops without an exit also sent the optimizer into minutes of work.
    private let stopped = StopFlag()

    public func stop() {
        stopped.set()
        webhooks.stop()
    }

    public init(config: Config, logger: Logger, launcher: WorkerLauncher) {
        self.config = config
        self.logger = logger
        self.launcher = launcher
        self.host = config.hostID
        self.backoff = Backoff(baseSeconds: config.retryBaseSeconds)
        self.retention = Retention(config: config, logger: logger)
        self.webhooks = WebhookDelivery(config: config, logger: logger)
        var fds: [Int32] = [0, 0]
        if pipe(&fds) == 0 {
            wakeRead = fds[0]
            wakeWrite = fds[1]
            _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
            _ = fcntl(wakeRead, F_SETFD, FD_CLOEXEC)
            _ = fcntl(wakeWrite, F_SETFD, FD_CLOEXEC)
        }
    }

    public func attach(metrics: Metrics) { self.metrics = metrics }

    /// Reports each start and its outcome, for `/api/health`.
    public func attach(health: WorkerStartHealth) {
        health.watch(workerPath: launcher.workerPath)
        self.health = health
    }

    /// Runs forever on a thread of its own (scribe-fcgi), with the webhook sender on another.
    public func start() {
        webhooks.start()
        startRetryingThread(name: "dispatcher", stopped: stopped, logger: logger, lost: "dispatcher lost the database; retrying") {
            [self] in try loop(untilIdle: false)
        }
    }

    /// For cron: claims and runs jobs until none is runnable and every worker it started has exited.
    public func runUntilIdle() throws {
        try loop(untilIdle: true)
        // The events of the jobs that ended, and retries that fell due since the last run.
        try webhooks.runDue(databaseURL: config.databaseURL)
    }

    private func loop(untilIdle: Bool) throws {
        let listener = try JobChangeListener(url: config.databaseURL, applicationName: "scribe dispatcher")
        let jobs = listener.jobs
        var lastSweep = Date.distantPast
        let sweepEvery = max(1.0, Double(config.leaseSeconds) / 3)
        while !stopped.isSet {
            try reapExited(jobs)
            if Date().timeIntervalSince(lastSweep) >= sweepEvery {
                try sweep(jobs)
                lastSweep = Date()
            }
            var claimedAny = false
            while childCount() < config.maxWorkers, let claim = try jobs.claim(host: host) {
                claimedAny = true
                launch(claim, jobs)
            }
            if untilIdle && !claimedAny && childCount() == 0, try !jobs.hasRunnable() { return }
            listener.wait(timeoutSeconds: 1, extraFD: wakeRead)
            _ = try listener.changes()
            drainWakePipe()
        }
    }

    private func childCount() -> Int {
        lock.lock()
        defer { lock.unlock() }
        return children.count
    }

    private func launch(_ claim: JobStore.Claim, _ jobs: JobStore) {
        let log: Logger.Metadata = ["job.id": "\(claim.jobID)", "job.attempt": "\(claim.attempt)"]
        do {
            let pid = try launcher.spawn(jobID: claim.jobID, lease: claim.leaseToken, attempt: claim.attempt)
            lock.lock()
            children[pid] = Child(jobID: claim.jobID, lease: claim.leaseToken, attempt: claim.attempt, started: Date())
            lock.unlock()
            metrics?.addSpawned()
            try? jobs.recordWorker(jobID: claim.jobID, lease: claim.leaseToken, pid: pid)
            logger.info("worker started", metadata: log.merging(["worker.pid": "\(pid)"]) { a, _ in a })
            // A thread blocked in waitpid learns of the exit at once (SIGCHLD handling would disturb other waits).
            let t = Thread { [self] in
                let status = Posix.waitChild(pid) ?? 0
                lock.lock()
                exited.append((pid, status))
                lock.unlock()
                var b: UInt8 = 1
                _ = write(wakeWrite, &b, 1)
            }
            t.name = "reaper-\(pid)"
            t.start()
        } catch {
            health?.recordStart(ok: false)
            logger.error("cannot start worker", metadata: log.merging(["error": "\(error)"]) { a, _ in a })
            _ = try? jobs.releaseExited(
                jobID: claim.jobID, lease: claim.leaseToken, message: "The worker could not be started",
                delaySeconds: backoff.delay(attempt: claim.attempt))
        }
    }

    /// Workers that exited: if the job is still running under their lease, they died without a final
    /// state, and the job is requeued (or failed after its last attempt) at once.
    private func reapExited(_ jobs: JobStore) throws {
        lock.lock()
        let done = exited
        exited.removeAll()
        var finished: [(pid_t, Child, Int32)] = []
        for (pid, status) in done {
            if let child = children.removeValue(forKey: pid) { finished.append((pid, child, status)) }
        }
        lock.unlock()
        for (pid, child, status) in finished {
            let how = Dispatcher.describe(status)
            // A worker that ran says starts work again; one that could not run at all counts as a failed start.
            health?.recordStart(ok: !WorkerStartHealth.isStartFailure(exitStatus: status))
            let state = try jobs.releaseExited(
                jobID: child.jobID, lease: child.lease, message: "\(Messages.workerLost) (\(how))",
                delaySeconds: backoff.delay(attempt: child.attempt))
            var meta: Logger.Metadata = ["job.id": "\(child.jobID)", "worker.pid": "\(pid)", "worker.exit": "\(how)"]
            if let state {
                meta["job.state"] = "\(state.rawValue)"
                logger.warning("worker exited without a final state; job released", metadata: meta)
            } else {
                logger.info("worker exited", metadata: meta)
            }
        }
    }

    static func describe(_ status: Int32) -> String {
        let sig = status & 0x7f
        if sig == 0 { return "exit status \((status >> 8) & 0xff)" }
        return "killed by signal \(sig)"
    }

    /// Rescues expired leases; checks pids of this host's workers it did not start (an earlier process);
    /// and sends SIGTERM to a worker that ignored a cancel request for 5 s.
    private func sweep(_ jobs: JobStore) throws {
        let rescued = try jobs.rescueExpired(
            leaseSeconds: config.leaseSeconds, message: Messages.leaseExpired, delaySeconds: backoff.delay(attempt: 1))
        if !rescued.isEmpty {
            metrics?.addRescued(rescued.count)
            for (id, state) in rescued {
                logger.warning("rescued a job whose heartbeat stopped", metadata: ["job.id": "\(id)", "job.state": "\(state.rawValue)"])
            }
        }
        lock.lock()
        let mine = Set(children.values.map(\.jobID))
        let pidsByJob = Dictionary(children.map { ($0.value.jobID, $0.key) }, uniquingKeysWith: { a, _ in a })
        lock.unlock()
        for (id, lease, pid) in try jobs.runningOnHost(host) where !mine.contains(id) {
            if Posix.isGone(pid) {
                if let s = try jobs.releaseExited(jobID: id, lease: lease, message: Messages.workerLost, delaySeconds: backoff.delay(attempt: 1)) {
                    logger.warning("released the job of a worker that is gone", metadata: ["job.id": "\(id)", "job.state": "\(s.rawValue)"])
                }
            }
        }
        let now = Date()
        var seen: [String: Date] = [:]
        for (id, _) in try jobs.cancelRequested(host: host) {
            let first = cancelSeen[id] ?? now
            seen[id] = first
            if now.timeIntervalSince(first) > 5, let pid = pidsByJob[id] {
                logger.warning("worker ignored a cancel request; sending SIGTERM", metadata: ["job.id": "\(id)"])
                kill(pid, SIGTERM)
            }
        }
        cancelSeen = seen
        try retention.removeFinishedWorkFolders(jobs)
        if config.gcSeconds > 0, Date().timeIntervalSince(lastGC) >= Double(config.gcSeconds) {
            lastGC = Date()
            _ = try retention.run(jobs.db)
        }
    }

    private func drainWakePipe() {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buf, 64) > 0 {}
    }
}
