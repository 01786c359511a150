import CSpawn
import Foundation
import ScribeCore

/// Runs a tool (git, ctags…) with arguments as an array (no shell), a timeout, a size cap on what it
/// prints, and a watch closure that may stop it (cancel, size limits). The tool runs in its own process
/// group so that stopping it stops whatever it started; a tripped `StopSwitch` kills that group at once.
public enum Subprocess {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: [UInt8]
        public let stderr: String
        public let timedOut: Bool
        public let stoppedReason: String?
        public var succeeded: Bool { status == 0 && !timedOut && stoppedReason == nil }
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    public struct LaunchError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Finds an executable on PATH.
    public static func which(_ name: String) -> String? {
        if name.hasPrefix("/") { return name }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    public static func run(
        _ tool: String, _ args: [String], env: [String: String], cwd: String? = nil, timeout: Double,
        maxOutput: Int = 64 << 20, watch: (() -> String?)? = nil, stop: StopSwitch = .process
    ) throws -> Result {
        guard let path = which(tool) else { throw LaunchError(description: "\(tool) is not installed") }
        if let reason = stop.reason {
            return Result(status: 128 + SIGKILL, stdout: [], stderr: "", timedOut: false, stoppedReason: reason)
        }
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            throw LaunchError(description: "cannot create pipes")
        }
        let pid = spawn(path, args, env: env, cwd: cwd, outFD: outPipe[1], errFD: errPipe[1])
        close(outPipe[1])
        close(errPipe[1])
        defer {
            close(outPipe[0])
            close(errPipe[0])
        }
        guard pid > 0 else { throw LaunchError(description: "cannot start \(tool): \(Posix.Errno(-pid))") }
        // The pid is the group's id too (POSIX_SPAWN_SETPGROUP with 0).
        _ = stop.register(group: pid)
        var capture = Capture(outFD: outPipe[0], errFD: errPipe[0], maxOutput: maxOutput)
        capture.read(until: Date().addingTimeInterval(timeout), watch: watch, stop: stop)
        // Unregistered before the reap: a group id cannot be reused while its leader is unreaped, so a trip
        // never kills a stranger's group.
        stop.unregister(group: pid)
        if capture.stopped == nil, let reason = stop.reason { capture.stopped = reason }
        if capture.timedOut || capture.stopped != nil {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
        }
        return Result(
            status: reap(pid), stdout: capture.out, stderr: String(decoding: capture.err, as: UTF8.self),
            timedOut: capture.timedOut, stoppedReason: capture.stopped)
    }

    /// Starts the tool in its own process group with the pipes' write ends as its stdout and stderr: the pid,
    /// or a negated errno.
    private static func spawn(
        _ path: String, _ args: [String], env: [String: String], cwd: String?, outFD: Int32, errFD: Int32
    ) -> pid_t {
        let argv = [path] + args
        let envList = env.map { "\($0.key)=\($0.value)" }
        return withCStrings(argv) { a in
            withCStrings(envList) { e in
                if let cwd {
                    return cwd.withCString { scribe_spawn_pipes(path, a, e, $0, outFD, errFD) }
                }
                return scribe_spawn_pipes(path, a, e, nil, outFD, errFD)
            }
        }
    }

    /// Waits for the process and returns its exit status, or 128 + the signal that ended it, as a shell does.
    private static func reap(_ pid: pid_t) -> Int32 {
        let status = Posix.waitChild(pid) ?? 0
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// What a run prints, read from both pipes until they close, the deadline passes, or the stop switch
    /// or the watch closure stops it; stdout is kept up to `maxOutput`, stderr up to 1 MiB.
    private struct Capture {
        let outFD: Int32
        let errFD: Int32
        let maxOutput: Int
        var out: [UInt8] = []
        var err: [UInt8] = []
        var timedOut = false
        var stopped: String? = nil

        mutating func read(until deadline: Date, watch: (() -> String?)?, stop: StopSwitch) {
            var open = [outFD, errFD]
            var lastWatch = Date()
            var buf = [UInt8](repeating: 0, count: 65536)
            while !open.isEmpty {
                var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                let rc = poll(&fds, nfds_t(fds.count), 200)
                if rc < 0 && errno != EINTR { break }
                for f in fds where f.revents != 0 {
                    let n = Glibc.read(f.fd, &buf, buf.count)
                    if n < 0 && errno == EINTR { continue }  // interrupted before any byte: the pipe stays open
                    if n <= 0 {
                        open.removeAll { $0 == f.fd }
                    } else if f.fd == outFD {
                        if out.count < maxOutput { out.append(contentsOf: buf[0..<n]) }
                    } else if err.count < 1 << 20 {
                        err.append(contentsOf: buf[0..<n])
                    }
                }
                if let reason = stop.reason {
                    stopped = reason
                    break
                }
                if Date() > deadline {
                    timedOut = true
                    break
                }
                if let watch, Date().timeIntervalSince(lastWatch) > 0.2 {
                    lastWatch = Date()
                    if let reason = watch() {
                        stopped = reason
                        break
                    }
                }
            }
        }
    }

    static func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
        var ptrs: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        ptrs.append(nil)
        defer { ptrs.forEach { free($0) } }
        return ptrs.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
