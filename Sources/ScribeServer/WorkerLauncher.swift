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
            throw ServerError("cannot start \(workerPath): \(String(cString: strerror(-pid)))")
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
