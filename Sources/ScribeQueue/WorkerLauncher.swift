import CSpawn
import Foundation
import ScribeCore

/// Spawns one `scribe-worker` per job: its own session, an empty signal mask, no inherited descriptors
/// (else it would hold the FastCGI socket and open requests), stdout and stderr to the job's log file.
public struct WorkerLauncher: Sendable {
    public let workerPath: String
    public let logDir: String

    public init(workerPath: String, logDir: String) {
        self.workerPath = workerPath
        self.logDir = logDir
    }

    /// `scribe-worker` next to the running executable, unless configured.
    public static func defaultWorkerPath(config: Config) -> String {
        if let p = config.workerPath { return p }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let sibling = exe.deletingLastPathComponent().appendingPathComponent("scribe-worker").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        if let selfExe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: selfExe).deletingLastPathComponent().appendingPathComponent("scribe-worker").path
        }
        return sibling
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The lease token travels in the environment, not in argv (argv is visible to every local user).
    public func spawn(jobID: String, lease: String, attempt: Int) throws -> pid_t {
        try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        let logPath = "\(logDir)/worker-\(jobID).log"
        let fd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        defer { if fd >= 0 { close(fd) } }
        var env = ProcessInfo.processInfo.environment
        env["SCRIBE_LEASE_TOKEN"] = lease
        env["SCRIBE_JOB_ATTEMPT"] = String(attempt)
        let argv = [workerPath, jobID]
        let envList = env.map { "\($0.key)=\($0.value)" }
        let pid = withCStringArray(argv) { a in
            withCStringArray(envList) { e in scribe_spawn(workerPath, a, e, fd) }
        }
        guard pid > 0 else {
            throw SpawnError(description: "cannot start \(workerPath): \(Posix.Errno(-pid))")
        }
        return pid
    }
}

/// A NULL-terminated `char *const []` for the duration of `body`.
func withCStringArray<T>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
    var ptrs: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    ptrs.append(nil)
    defer { ptrs.forEach { free($0) } }
    return ptrs.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Whether this process can start workers, for `/api/health`: the worker binary must be an executable file,
/// and the last start must not have failed (a spawn error, or a worker that could not run at all).
public final class WorkerStartHealth: @unchecked Sendable {
    // @unchecked: every var (workerPath, failuresInARow, lastFailure) is read and written under `lock`.
    private let lock = NSLock()
    private var workerPath: String?
    private var failuresInARow = 0
    private var lastFailure: Date?

    /// A failed start older than this no longer makes the health degraded on its own.
    static let memorySeconds: TimeInterval = 300

    public init() {}

    /// Set when this process starts a dispatcher; without one, it starts no workers and says so.
    public func watch(workerPath: String) {
        lock.lock()
        self.workerPath = workerPath
        lock.unlock()
    }

    public func recordStart(ok: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if ok {
            failuresInARow = 0
        } else {
            failuresInARow += 1
            lastFailure = Date()
        }
    }

    /// An exit status that means the worker never ran a job: exec failed (126, 127) or it refused its
    /// configuration or arguments (78, 64).
    static func isStartFailure(exitStatus status: Int32) -> Bool {
        guard status & 0x7f == 0 else { return false }
        return [64, 78, 126, 127].contains((status >> 8) & 0xff)
    }

    public enum State: Equatable, Sendable {
        case ok
        /// No dispatcher in this process (`SCRIBE_DISPATCHER=0`, or no workers allowed).
        case notStartedHere
        /// Why workers cannot be started, for people (never a path of the server).
        case failing(String)
    }

    public func state(now: Date = Date()) -> State {
        lock.lock()
        let path = workerPath
        let failures = failuresInARow
        let last = lastFailure
        lock.unlock()
        guard let path else { return .notStartedHere }
        if access(path, X_OK) != 0 || !FileManager.default.fileExists(atPath: path) {
            return .failing("The worker program is missing or not executable")
        }
        if failures > 0, let last, now.timeIntervalSince(last) < Self.memorySeconds {
            return .failing("The last \(failures) worker start\(failures == 1 ? "" : "s") failed")
        }
        return .ok
    }
}
