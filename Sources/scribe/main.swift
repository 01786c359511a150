import ArgumentParser
import Foundation
import Logging
import ScribeCore
import ScribeCrypto
import ScribeNet
import ScribePipeline
import ScribeQueue
import ScribeStore

/// `scribe`: the administration command line (SPEC §1).
struct Scribe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scribe",
        abstract: "Administer Scribe: schema, users, repositories and jobs.",
        discussion: "Exit status: 0 done, 1 the command failed, 2 the command line is wrong.",
        version: "scribe \(ScribeVersion.string)",
        subcommands: [
            Migrate.self, User.self, Token.self, Org.self, Repo.self, Enqueue.self, Jobs.self, Job.self, Dispatch.self, Generate.self,
            SecretsCommand.self, GC.self, Pages.self, Poll.self,
        ])
}

enum CLI {
    /// Run-time failures (configuration, database) exit 1 with one line, never with the usage text:
    /// the command line was right.
    static func config() throws -> Config {
        do { return try Config.fromEnvironment() } catch {
            throw fail("configuration error: \(error)")
        }
    }

    /// Installs the log sink the environment asks for (the commands that log: `dispatch`, `gc`); a sink that
    /// cannot be opened is a configuration error (exit 78), as in the other executables.
    static func startLogging(label: String, level: String) throws -> (Logger, LogSink) {
        let sink: LogSink
        do { sink = try LogSink.fromEnvironment() } catch {
            FileHandle.standardError.write(Data("\(label): configuration error: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        LoggingSystem.bootstrap(sink.handler)
        return (LogSink.logger(label: label, level: level), sink)
    }

    static func connect() throws -> (Config, Connection) {
        let c = try config()
        do { return (c, try Connection(url: c.databaseURL, applicationName: "scribe")) } catch {
            throw fail("cannot connect to the database: \(error)")
        }
    }

    /// Exit status of a command line that is wrong (unknown option or value); distinct from run-time failures.
    static let usageError: Int32 = 2

    static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("scribe: \(message)\n".utf8))
        return ExitCode(1)
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the database migrations that are missing.",
        discussion: "With --check nothing is changed: exit 0 when the schema is current, 1 when migrations are missing.")
    @Flag(help: "Only report whether migrations are missing (exit 1 if so).") var check = false

    func run() throws {
        let (_, db) = try CLI.connect()
        if check {
            let status = try SchemaCheck.status(of: db)
            if !status.unknown.isEmpty {
                print("the database has migrations this release does not know: \(status.unknown.map(String.init).joined(separator: ", "))")
            }
            if status.isCurrent {
                print("schema is up to date")
                return
            }
            print("missing migrations: \(status.missing.map(String.init).joined(separator: ", ")); run `scribe migrate`")
            throw ExitCode(1)
        }
        let applied = try Migrations.apply(on: db)
        print(applied.isEmpty ? "schema is up to date" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
    }
}

struct User: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage users.", subcommands: [Create.self, SetGitHubToken.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user (and its organisation) and print a new API token.")
        @Option(help: "Organisation name (created if missing).") var org: String
        @Option(help: "E-mail address of the user.") var email: String
        @Flag(help: "Make the user an administrator of the organisation.") var admin = false

        func run() throws {
            let (_, db) = try CLI.connect()
            let store = AccountStore(db)
            if try store.userID(email: email) != nil { throw CLI.fail("a user with e-mail \(email) exists; use `scribe token create --email \(email)`") }
            let (user, _) = try store.createUser(organisation: org, email: email, admin: admin)
            let token = Secrets.newAPIToken()
            try store.addToken(userID: user, tokenHash: Secrets.tokenDigest(token))
            print(token)
        }
    }

    struct SetGitHubToken: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-github-token",
            abstract: "Store a user's GitHub token, read from standard input (never from argv), encrypted with SCRIBE_SECRET_KEY.")
        @Option(help: "E-mail address of the user.") var email: String

        func run() throws {
            let (config, db) = try CLI.connect()
            guard let key = config.secretKeyHex else { throw CLI.fail("SCRIBE_SECRET_KEY is required to store tokens") }
            guard let user = try AccountStore(db).userID(email: email) else { throw CLI.fail("no user with e-mail \(email)") }
            let token = (readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces)
            if token.isEmpty {
                try AccountStore(db).setGitHubToken(userID: user, sealed: nil)
                print("GitHub token removed")
                return
            }
            try AccountStore(db).setGitHubToken(userID: user, sealed: try SecretBox(hexKey: key).seal(token))
            print("GitHub token stored")
        }
    }
}

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a new API token for an existing user.")
        @Option(help: "E-mail address of the user.") var email: String

        func run() throws {
            let (_, db) = try CLI.connect()
            guard let user = try AccountStore(db).userID(email: email) else { throw CLI.fail("no user with e-mail \(email)") }
            let token = Secrets.newAPIToken()
            try AccountStore(db).addToken(userID: user, tokenHash: Secrets.tokenDigest(token))
            print(token)
        }
    }
}

struct Org: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Organisation settings.", subcommands: [SetLLM.self])

    struct SetLLM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-llm",
            abstract: "Set the organisation's LLM endpoint and model; the API key is read from standard input (never argv) and stored encrypted.")
        @Option(help: "Organisation name.") var org: String
        @Option(help: "Base URL of an OpenAI-compatible API (…/v1).") var baseURL: String
        @Option(help: "Model name.") var model: String
        @Flag(help: "Keep the stored key; do not read one.") var keepKey = false

        func run() throws {
            let (config, db) = try CLI.connect()
            guard let orgID = try AccountStore(db).organisationID(name: org) else { throw CLI.fail("no organisation named \(org)") }
            let endpoint: URLPolicy.Endpoint
            switch URLPolicy.endpoint(baseURL, field: "--base-url", allowPrivateNetworks: config.allowPrivateNetworks) {
            case .success(let e): endpoint = e
            case .failure(let e): throw CLI.fail(e.message)
            }
            do {
                _ = try AddressGuard(allowPrivateNetworks: config.allowPrivateNetworks).check(host: endpoint.host)
            } catch let e as AddressGuard.Refused {
                throw CLI.fail("Invalid --base-url: \(e.message)")
            }
            var sealed: [UInt8]? = nil
            if !keepKey {
                guard let hex = config.secretKeyHex else { throw CLI.fail("SCRIBE_SECRET_KEY is required to store keys") }
                let key = (readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty else { throw CLI.fail("no key on standard input") }
                sealed = try SecretBox(hexKey: hex).seal(key)
            }
            let cleared = try AccountStore(db).setLLMSettings(
                organisationID: orgID, baseURL: endpoint.url, model: model, sealedKey: sealed, keepKey: keepKey)
            print("LLM settings stored for \(org)")
            if cleared { print("The stored key was removed: a key is only sent to the base URL it was stored with.") }
        }
    }
}

struct Repo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage repositories.", subcommands: [Add.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a repository and print its id (the existing id if registered).")
        @Argument(help: "An https URL (allowed hosts) or, when SCRIBE_ALLOW_LOCAL_REPOS=1, a local path.") var url: String
        @Option(help: "Organisation name.") var org: String
        @Option(help: "Branch to document (default: the repository's default branch).") var branch: String?

        func run() throws {
            let (config, db) = try CLI.connect()
            guard let orgID = try AccountStore(db).organisationID(name: org) else { throw CLI.fail("no organisation named \(org)") }
            if let branch, !GitRef.isSafeBranch(branch) { throw CLI.fail("invalid branch name") }
            let policy = URLPolicy(config: config)
            switch policy.check(url) {
            case .failure(let e): throw CLI.fail(e.message)
            case .success(let a):
                switch try RepositoryStore(db).create(
                    organisationID: orgID, url: a.url, branch: branch, name: a.name, githubSlug: a.githubSlug, createdBy: nil)
                {
                case .created(let r), .exists(let r): print(r.id)
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an organisation's repositories.")
        @Option(help: "Organisation name.") var org: String

        func run() throws {
            let (_, db) = try CLI.connect()
            guard let orgID = try AccountStore(db).organisationID(name: org) else { throw CLI.fail("no organisation named \(org)") }
            // Page by page: a large organisation is never held in memory at once.
            var after: (at: String, id: String)? = nil
            repeat {
                let page = try RepositoryStore(db).list(organisationID: orgID, limit: 500, after: after)
                for r in page {
                    print("\(r.id)  \(r.lastJobStatus?.rawValue ?? "idle")  \(r.url)\(r.branch.map { " (\($0))" } ?? "")")
                }
                after = page.count == 500 ? page.last.map { ($0.createdAt, $0.id) } : nil
            } while after != nil
        }
    }
}

struct Enqueue: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Queue a documentation job for a repository and print its id.")
    @Argument(help: "Repository id.") var repository: String
    @Option(help: "Options as JSON, as in the API (e.g. '{\"regenerate_all\":true}').") var options: String?

    func run() throws {
        let (_, db) = try CLI.connect()
        guard Router.isUUID(repository), let repo = try RepositoryStore(db).get(id: repository.lowercased()) else {
            throw CLI.fail("no repository with id \(repository)")
        }
        var parsed = JobOptions()
        if let options {
            guard let v = try? JSONValue.parse(options) else { throw CLI.fail("--options is not valid JSON") }
            switch JobOptions.parse(v) {
            case .success(let o): parsed = o
            case .failure(let e): throw CLI.fail(e.message)
            }
        }
        if parsed.branch == nil { parsed.branch = repo.branch }
        switch try JobStore(db).create(organisationID: repo.organisationID, repositoryID: repo.id, options: parsed, triggeredBy: nil) {
        case .created(let j): print(j.id)
        case .conflict(let active): throw CLI.fail("\(Messages.alreadyInProgress) (job \(active ?? "?"))")
        }
    }
}

struct Jobs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List recent jobs.")
    @Option(help: "Only jobs in this state (\(JobState.allCases.map(\.rawValue).joined(separator: ", "))).") var status: String?
    // Unconditional, so that `--limit -1` is read as a number (and refused) rather than as another option.
    @Option(parsing: .unconditional, help: "How many (1 to 1000).") var limit = 20

    func validate() throws {
        if let status, JobState(rawValue: status) == nil {
            throw ValidationError(
                "unknown status '\(status)'; expected one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000, got \(limit)") }
    }

    func run() throws {
        let (_, db) = try CLI.connect()
        for j in try JobStore(db).recent(status: status.flatMap(JobState.init(rawValue:)), limit: limit) {
            let s = j.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
            print("\(j.id)  \(s) \(String(j.progress).leftPad(3))%  attempt \(j.attempt)/\(j.maxAttempts)  \(j.repositoryName)  \(j.step) \(j.error)")
        }
    }
}

struct Job: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a job as JSON.", subcommands: [Get.self])
    struct Get: ParsableCommand {
        @Argument(help: "Job id.") var id: String
        func run() throws {
            let (_, db) = try CLI.connect()
            guard Router.isUUID(id), let job = try JobStore(db).get(id: id.lowercased()) else { throw CLI.fail("no job with id \(id)") }
            print(job.json.serialized())
        }
    }
}

struct Dispatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run queued jobs: rescue stale ones, start workers, wait for them (for cron; --loop to keep running).")
    @Flag(help: "Keep dispatching until interrupted.") var loop = false

    func run() throws {
        let config = try CLI.config()
        // Blocked before any thread starts: the loop below waits for them (SIGHUP reopens the log file).
        if loop { StopSignals.block() }
        let (logger, sink) = try CLI.startLogging(label: "scribe-dispatch", level: config.logLevel)
        let launcher = WorkerLauncher(workerPath: WorkerLauncher.defaultWorkerPath(config: config), logDir: config.dataDir + "/logs")
        let d = Dispatcher(config: config, logger: logger, launcher: launcher)
        if loop {
            d.start()
            let sig = StopSignals.waitForStop { sink.reopen() }
            // Workers run in their own sessions and finish their jobs.
            logger.info("stopping", metadata: ["signal": "\(sig)"])
            return
        }
        try d.runUntilIdle()
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Document a local folder or a git URL into a folder, in the foreground (no server, no database).")
    @Argument(help: "A local folder, or a git URL to clone.") var source: String
    @Option(help: "Output folder (created).") var out: String
    @Option(help: "Branch to clone (URLs only).") var branch: String?
    @Option(parsing: .upToNextOption, help: "Only these modules (paths from the module tree).") var modules: [String] = []
    @Flag(help: "Print the summary as JSON (for scripts and benchmarks).") var json = false
    @Flag(help: "Write the self-contained static site that docs.zip gives: source views instead of host links, opens from file://.")
    var site = false

    func validate() throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDir), !isDir.boolValue {
            throw ValidationError("--out \(out) is a file; give a folder (it is created if missing)")
        }
    }

    func run() throws {
        var g = ForegroundGenerator()
        if !modules.isEmpty { g.modules = modules }
        g.site = site
        // A bar only for a person watching: never into a pipe or a file that a script reads.
        let bar = isatty(1) == 1 ? ProgressBar() : nil
        var partial = false
        do {
            let s = try g.run(source: source, branch: branch, out: out) { pct, step in bar?.draw(percent: pct, step: step) }
            bar?.finish()
            // What the page check could not confirm, one line each, for the person who asked.
            for u in s.unverified { FileHandle.standardError.write(Data("unverified: \(u)\n".utf8)) }
            if json {
                print(JSONValue.object([
                    ("files", .num(s.files)), ("lines", .num(s.lines)), ("symbols", .num(s.symbols)), ("modules", .num(s.modules)),
                    ("pages", .num(s.pages)), ("seconds", .double(s.seconds)),
                    ("coverage", .double((s.coverage * 10).rounded() / 10)), ("unverified_mentions", .num(s.unverifiedMentions)),
                    ("failed_modules", .num(s.failed.count)), ("partial", .bool(!s.failed.isEmpty)),
                    ("stages", .object(s.stages.map { ($0.stage, .double(($0.seconds * 1000).rounded() / 1000)) })),
                ]).serialized())
            } else {
                print("\(s.modules) modules, \(s.files) files, \(s.lines) lines, \(s.symbols) declarations → \(s.pages) files in \(out) (\(String(format: "%.2f", s.seconds)) s); coverage \(String(format: "%.1f", s.coverage)) %")
            }
            partial = !s.failed.isEmpty
            if partial {
                let list = s.failed.map { "  \($0.module): \($0.reason)" }.joined(separator: "\n")
                FileHandle.standardError.write(Data("completed with \(s.failed.count) failed modules:\n\(list)\n".utf8))
            }
        } catch {
            bar?.finish()
            throw CLI.fail(CLI.describe(error))
        }
        // 3: the documentation was written, but without the failed modules' pages (1 is reserved for errors).
        if partial { throw ExitCode(3) }
    }
}

extension CLI {
    /// An error in words: Foundation's file errors otherwise print as `NSCocoaErrorDomain Code=…`.
    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain else { return "\(error)" }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
        let posix = (ns.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? $0.code : nil }
        if let posix { return "cannot write \(path): \(Posix.Errno(Int32(posix)))" }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileWriteNoPermission, .fileReadNoPermission: return "cannot write \(path): permission denied"
        case .fileWriteOutOfSpace: return "cannot write \(path): the disk is full"
        case .fileNoSuchFile, .fileReadNoSuchFile: return "cannot find \(path)"
        case .fileWriteFileExists: return "cannot create \(path): a file is in the way"
        default: return "cannot write \(path): \(blocker(of: path) ?? "the system refused")"
        }
    }

    /// Why a folder cannot be made at path: the nearest existing parent is a file, or is not writable.
    static func blocker(of path: String) -> String? {
        var p = (path as NSString).standardizingPath
        while !p.isEmpty && p != "/" && !FileManager.default.fileExists(atPath: p) { p = (p as NSString).deletingLastPathComponent }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { return nil }
        if !isDir.boolValue { return "\(p) is a file, not a folder" }
        if !FileManager.default.isWritableFile(atPath: p) { return "\(p) is not writable" }
        return nil
    }
}

/// A progress bar on one line: redrawn in place and cut to the terminal's width, so that a narrow terminal
/// never wraps it into a stack of stale lines.
final class ProgressBar {
    private var drawn = false

    static func columns() -> Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// The line for a width: `[████░░░░]  42%  step`, dropping the step, then the bar, as the width shrinks.
    static func line(percent: Int, step: String, columns: Int) -> String {
        let usable = columns - 1  // the last column would wrap on some terminals
        let pct = String(percent).leftPad(3) + "%"
        guard usable > pct.count else { return String(pct.prefix(max(usable, 0))) }
        let barWidth = min(30, usable - pct.count - 3)
        var line = pct
        if barWidth >= 5 {
            let filled = barWidth * min(max(percent, 0), 100) / 100
            line = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "] " + pct
        }
        let room = usable - line.count - 2
        if room > 3 { line += "  " + String(step.prefix(room)) }
        return line
    }

    func draw(percent: Int, step: String) {
        let text = Self.line(percent: percent, step: step, columns: Self.columns())
        FileHandle.standardOutput.write(Data("\r\u{1B}[2K\(text)".utf8))
        drawn = true
    }

    func finish() {
        if drawn { FileHandle.standardOutput.write(Data("\r\u{1B}[2K".utf8)) }
        drawn = false
    }
}

struct SecretsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets", abstract: "Stored secrets (GitHub tokens, LLM keys).", subcommands: [Rotate.self])

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-encrypt every stored secret from SCRIBE_SECRET_KEY_OLD to SCRIBE_SECRET_KEY, in one transaction.",
            discussion: """
                Both keys come from the environment, never from the command line. Stop scribe-fcgi and workers first, \
                or restart them with the new key right after. Running it again is harmless.
                """)

        func run() throws {
            let (config, db) = try CLI.connect()
            let env = ProcessInfo.processInfo.environment
            guard let oldHex = env["SCRIBE_SECRET_KEY_OLD"], !oldHex.isEmpty else { throw CLI.fail("SCRIBE_SECRET_KEY_OLD (the current key) is not set") }
            guard let newHex = config.secretKeyHex else { throw CLI.fail("SCRIBE_SECRET_KEY (the new key) is not set") }
            guard oldHex.lowercased() != newHex.lowercased() else { throw CLI.fail("SCRIBE_SECRET_KEY_OLD and SCRIBE_SECRET_KEY are the same key") }
            let old: SecretBox
            do { old = try SecretBox(hexKey: oldHex) } catch { throw CLI.fail("SCRIBE_SECRET_KEY_OLD: \(error)") }
            let new = try SecretBox(hexKey: newHex)
            let (changed, kept) = try db.withTransaction { () throws -> (Int, Int) in
                let store = SecretStore(db)
                var changed = 0
                var kept = 0
                for item in try store.all() {
                    let result: (sealed: [UInt8], changed: Bool)
                    do { result = try old.rotate(item.sealed, to: new) } catch {
                        // Neither key opens it: change nothing, name the row (never the secret).
                        throw CLI.fail("\(item.kind.rawValue) of \(item.id) opens with neither key; nothing was changed")
                    }
                    if result.changed {
                        try store.replace(item.kind, id: item.id, sealed: result.sealed)
                        changed += 1
                    } else {
                        kept += 1
                    }
                }
                return (changed, kept)
            }
            print("re-encrypted \(changed) secret\(changed == 1 ? "" : "s")\(kept > 0 ? " (\(kept) already under the new key)" : "")")
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

// Usage errors exit 2 with the message and usage; run-time failures exit 1 with one line (CLI.fail).
do {
    var command = try Scribe.parseAsRoot()
    try command.run()
} catch {
    if Scribe.exitCode(for: error) == .validationFailure {
        FileHandle.standardError.write(Data((Scribe.fullMessage(for: error) + "\n").utf8))
        exit(CLI.usageError)
    }
    Scribe.exit(withError: error)
}
