import Foundation
import ScribeCore
import ScribeNet

/// Fetches repositories with git: never runs anything from the repository (hooks off, no submodules),
/// never prompts, keeps credentials out of argv and URLs (they travel in the environment).
///
/// Where git may go: only the transport of the URL it was given (`protocol.allow=never` otherwise, so no
/// `ext::`, `ssh` or `file` from anywhere else), no HTTP redirect at all (`http.followRedirects=false`),
/// and only addresses that `addressGuard` accepts. git resolves names itself, so the guard resolves the host
/// first, refuses it when any address is refused, and pins git's resolver to the checked addresses
/// (`http.curloptResolve`): a DNS answer that changes between the check and the connection is not used.
public struct Git {
    public let timeout: Double
    /// Extra HTTP header for git over HTTPS (a token), passed through GIT_CONFIG_* environment variables.
    public var authHeader: String? = nil
    public let home: String
    /// Refuses hosts that resolve to loopback, private, link-local… addresses (unless private networks are allowed).
    public var addressGuard: AddressGuard
    /// Told git's own words when a command fails (its last `fatal:`/`error:` line, never credentials:
    /// they travel in the environment), so the worker's log has the cause behind the job's message.
    public var onFailure: (@Sendable (String, String) -> Void)? = nil

    public init(timeout: Double, home: String, allowPrivateNetworks: Bool = false) {
        self.timeout = timeout
        self.home = home
        self.addressGuard = AddressGuard(allowPrivateNetworks: allowPrivateNetworks)
    }

    /// The environment of git commands that reach no remote: no transport allowed at all.
    var environment: [String: String] { Git.environment(home: home, settings: Git.baseSettings) }

    static let baseSettings: [(String, String)] = [
        ("core.hooksPath", "/dev/null"),
        ("advice.detachedHead", "false"),
        ("protocol.allow", "never"),
        ("http.followRedirects", "false"),
    ]

    static func environment(home: String, settings: [(String, String)]) -> [String: String] {
        var env: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": home,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_ASKPASS": "/bin/false",
            "SSH_ASKPASS": "/bin/false",
            "LC_ALL": "C",
            "GIT_CONFIG_COUNT": String(settings.count),
        ]
        for (i, (k, v)) in settings.enumerated() {
            env["GIT_CONFIG_KEY_\(i)"] = k
            env["GIT_CONFIG_VALUE_\(i)"] = v
        }
        return env
    }

    /// The environment of a git command that talks to `url`: its transport alone allowed, the host checked
    /// and pinned, the credentials header if any. Refusals are fatal (a retry would meet the same answer),
    /// a host that does not resolve is a transient network error.
    func environment(for url: String) throws -> [String: String] {
        var settings = Git.baseSettings
        if url.hasPrefix("/") || url.hasPrefix("file://") {
            settings.append(("protocol.file.allow", "always"))
            return Git.environment(home: home, settings: settings)
        }
        guard let comps = URLComponents(string: url), let scheme = comps.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let rawHost = comps.host, !rawHost.isEmpty
        else {
            throw PipelineError.fatal("Repository URL refused: only https URLs are fetched (\(url))")
        }
        settings.append(("protocol.\(scheme).allow", "always"))
        let host = NetworkAddress.unbracketed(rawHost)
        let addresses: [NetworkAddress]
        do {
            addresses = try addressGuard.check(host: host)
        } catch let e as AddressGuard.Refused {
            throw PipelineError.fatal("Repository host refused: \(e.message)")
        }
        if NetworkAddress.parse(host) == nil {
            guard !addresses.isEmpty else { throw PipelineError.transient("Could not resolve the repository's host \(host)") }
            let port = comps.port ?? (scheme == "https" ? 443 : 80)
            let pinned = addresses.map { a -> String in
                if case .v6 = a { return "[\(a)]" }
                return a.description
            }
            settings.append(("http.curloptResolve", "\(host):\(port):\(pinned.joined(separator: ","))"))
        }
        if let authHeader { settings.append(("http.extraHeader", authHeader)) }
        return Git.environment(home: home, settings: settings)
    }

    /// The URL git is given: local paths become file:// so that shallow clones work.
    public static func gitURL(_ url: String) -> String {
        url.hasPrefix("/") ? "file://" + url : url
    }

    /// Classifies git's complaint into the job's error categories, without echoing anything secret.
    func classify(_ r: Subprocess.Result, url: String, what: String) -> PipelineError {
        onFailure?(what, Git.complaints(r.stderr))
        if r.timedOut { return .transient("\(what) timed out after \(Int(timeout)) s") }
        if let s = r.stoppedReason { return .transient(s) }
        let e = r.stderr.lowercased()
        if let range = e.range(of: #"returned error: 3\d\d"#, options: .regularExpression) {
            // http.followRedirects=false: a redirect could lead anywhere, so it is not followed.
            let code = e[range].suffix(3)
            return .fatal("The repository's server answered with a redirect (HTTP \(code)), which is not followed: \(url)")
        }
        let notFound = [
            "does not appear to be a git repository", "repository not found", "not found", "no such file or directory",
            "returned error: 404", "could not read from remote repository",
        ]
        let auth = ["authentication failed", "could not read username", "returned error: 401", "returned error: 403", "terminal prompts disabled"]
        // git's safe.directory check: a local repository owned by another user than the worker's. Its words,
        // not "Repository not found", tell the operator what to change.
        if e.contains("dubious ownership") {
            return .fatal("git refuses \(url): the repository belongs to another user than Scribe's (git: detected dubious ownership)")
        }
        if auth.contains(where: e.contains) {
            return .fatal(Messages.repositoryNotFound(url) + " (access was refused; check the repository's GitHub token)")
        }
        if notFound.contains(where: e.contains) { return .fatal(Messages.repositoryNotFound(url)) }
        if e.contains("couldn't find remote ref") || e.contains("remote branch") && e.contains("not found") {
            return .fatal("Branch or commit not found in \(url)")
        }
        return .transient("\(what) failed: \(Git.firstLine(r.stderr))")
    }

    /// Every `fatal:`/`error:` line, in order (the cause is often not the last one), for the worker's log.
    static func complaints(_ s: String) -> String {
        let lines = s.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") }
        return String((lines.isEmpty ? firstLine(s) : lines.joined(separator: " | ")).prefix(1000))
    }

    static func firstLine(_ s: String) -> String {
        let lines = s.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        // git prints "fatal: …" last; keep it short and free of URLs with credentials (there are none in ours).
        return String((lines.last(where: { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") }) ?? lines.last ?? "unknown error").prefix(300))
    }

    /// Resolves a branch (or the default branch) to a commit with `git ls-remote`.
    public func resolve(url: String, branch: String?, watch: (() -> String?)?) throws -> (commit: String, ref: String) {
        let ref = branch.map { "refs/heads/\($0)" } ?? "HEAD"
        let env = try environment(for: url)
        let r = try Subprocess.run("git", ["ls-remote", "--", Git.gitURL(url), ref], env: env, timeout: min(timeout, 60), watch: watch)
        guard r.succeeded else { throw classify(r, url: url, what: "Resolving the commit") }
        let line = r.stdoutText.split(separator: "\n").first { $0.hasSuffix("\t\(ref)") || $0.hasSuffix(" \(ref)") }
        guard let line, let sha = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).first, sha.count >= 40 else {
            if branch != nil {
                // Is the repository empty, or is just the branch missing?
                let all = try Subprocess.run("git", ["ls-remote", "--", Git.gitURL(url)], env: env, timeout: min(timeout, 60), watch: watch)
                if all.succeeded && !all.stdoutText.isEmpty { throw PipelineError.fatal("Branch not found: \(branch!)") }
            }
            throw PipelineError.fatal(Messages.repositoryEmpty)
        }
        return (String(sha), ref)
    }

    /// A shallow clone of one commit into `dir` (which must not exist): branch tip or exact commit.
    public func clone(url: String, branch: String?, commit: String, into dir: String, watch: (() -> String?)?) throws {
        let remote = try environment(for: url)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func git(_ args: [String], _ what: String, env: [String: String]? = nil) throws {
            let r = try Subprocess.run("git", args, env: env ?? environment, cwd: dir, timeout: timeout, watch: watch)
            guard r.succeeded else { throw classify(r, url: url, what: what) }
        }
        try git(["init", "-q", "."], "Preparing the clone")
        try git(["remote", "add", "origin", "--", Git.gitURL(url)], "Preparing the clone")
        // Fetch exactly the resolved commit; servers that refuse fetching by id get the branch tip instead.
        let byCommit = try Subprocess.run(
            "git", ["fetch", "-q", "--depth", "1", "--no-tags", "origin", commit], env: remote, cwd: dir, timeout: timeout,
            watch: watch)
        if !byCommit.succeeded {
            if byCommit.timedOut || byCommit.stoppedReason != nil { throw classify(byCommit, url: url, what: "Cloning") }
            let ref = branch.map { "refs/heads/\($0)" } ?? "HEAD"
            try git(["fetch", "-q", "--depth", "1", "--no-tags", "origin", ref], "Cloning", env: remote)
        }
        try git(["-c", "core.symlinks=true", "checkout", "-q", "--detach", "FETCH_HEAD"], "Checking out")
    }

    /// `path blob` for every tracked file, used for per-module fingerprints.
    public func blobs(in dir: String) throws -> [String: String] {
        let r = try Subprocess.run("git", ["ls-tree", "-r", "-z", "HEAD"], env: environment, cwd: dir, timeout: 60)
        guard r.succeeded else { return [:] }
        var out: [String: String] = [:]
        for entry in r.stdout.split(separator: 0) {
            let s = String(decoding: entry, as: UTF8.self)
            guard let tab = s.firstIndex(of: "\t") else { continue }
            let meta = s[..<tab].split(separator: " ")
            if meta.count == 3 { out[String(s[s.index(after: tab)...])] = String(meta[2]) }
        }
        return out
    }

    public func headCommit(in dir: String) -> String? {
        guard let r = try? Subprocess.run("git", ["rev-parse", "HEAD"], env: environment, cwd: dir, timeout: 30), r.succeeded else {
            return nil
        }
        return r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
