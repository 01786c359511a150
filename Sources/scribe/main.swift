import ArgumentParser
import Foundation
import ScribeCore
import ScribeNet
import ScribePipeline
import ScribeServer
import ScribeStore

/// `scribe`: the administration command line (SPEC §1).
struct Scribe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scribe",
        abstract: "Administer Scribe: schema, users, repositories and jobs.",
        subcommands: [Migrate.self, User.self, Token.self, Org.self, Repo.self, Enqueue.self, Jobs.self, Job.self, Dispatch.self, Generate.self])
}

enum CLI {
    static func config() throws -> Config {
        do { return try Config.fromEnvironment() } catch {
            throw ValidationError("configuration error: \(error)")
        }
    }

    static func connect() throws -> (Config, Connection) {
        let c = try config()
        do { return (c, try Connection(url: c.databaseURL, applicationName: "scribe")) } catch {
            throw ValidationError("cannot connect to the database: \(error)")
        }
    }

    static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("scribe: \(message)\n".utf8))
        return ExitCode(1)
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the database migrations that are missing.")
    func run() throws {
        let (_, db) = try CLI.connect()
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
            for r in try RepositoryStore(db).list(organisationID: orgID) {
                print("\(r.id)  \(r.lastJobStatus?.rawValue ?? "idle")  \(r.url)\(r.branch.map { " (\($0))" } ?? "")")
            }
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
    @Option(help: "Only jobs in this state.") var status: String?
    @Option(help: "How many.") var limit = 20

    func run() throws {
        let (_, db) = try CLI.connect()
        let rows = try db.query(
            """
            SELECT j.id, j.status, j.progress, j.attempt, j.max_attempts, coalesce(j.current_step, '') AS step,
                   coalesce(j.error_message, '') AS error, r.name
            FROM jobs j JOIN repositories r ON r.id = j.repository_id
            WHERE ($1::text IS NULL OR j.status = $1) ORDER BY j.created_at DESC LIMIT $2
            """, [status, String(limit)], name: "cli.jobs")
        for r in rows.rows {
            let s = r.string("status") ?? ""
            let p = r.string("progress") ?? ""
            print("\(r.string("id") ?? "")  \(s.padding(toLength: 9, withPad: " ", startingAt: 0)) \(p.leftPad(3))%  attempt \(r.string("attempt") ?? "")/\(r.string("max_attempts") ?? "")  \(r.string("name") ?? "")  \(r.string("step") ?? "") \(r.string("error") ?? "")")
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
        let logger = LogSetup.bootstrap(label: "scribe-dispatch", level: config.logLevel)
        let launcher = WorkerLauncher(workerPath: WorkerLauncher.defaultWorkerPath(config: config), logDir: config.dataDir + "/logs")
        let d = Dispatcher(config: config, logger: logger, launcher: launcher)
        if loop {
            d.start()
            while true { sleep(3600) }
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

    func run() throws {
        var g = ForegroundGenerator()
        if !modules.isEmpty { g.modules = modules }
        let tty = isatty(2) == 1
        var partial = false
        do {
            let s = try g.run(source: source, branch: branch, out: out) { pct, step in
                guard tty else { return }
                let width = 30
                let filled = width * pct / 100
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                FileHandle.standardError.write(Data("\r\u{1B}[2K\(bar) \(String(pct).leftPad(3))%  \(step.prefix(60))".utf8))
            }
            if tty { FileHandle.standardError.write(Data("\n".utf8)) }
            if json {
                print(JSONValue.object([
                    ("files", .num(s.files)), ("lines", .num(s.lines)), ("symbols", .num(s.symbols)), ("modules", .num(s.modules)),
                    ("pages", .num(s.pages)), ("seconds", .double(s.seconds)), ("failed_modules", .num(s.failed.count)),
                    ("partial", .bool(!s.failed.isEmpty)),
                ]).serialized())
            } else {
                print("\(s.modules) modules, \(s.files) files, \(s.lines) lines, \(s.symbols) declarations → \(s.pages) files in \(out) (\(String(format: "%.2f", s.seconds)) s)")
            }
            partial = !s.failed.isEmpty
            if partial {
                let list = s.failed.map { "  \($0.module): \($0.reason)" }.joined(separator: "\n")
                FileHandle.standardError.write(Data("completed with \(s.failed.count) failed modules:\n\(list)\n".utf8))
            }
        } catch {
            if tty { FileHandle.standardError.write(Data("\n".utf8)) }
            throw CLI.fail("\(error)")
        }
        // 3: the documentation was written, but without the failed modules' pages (1 is reserved for errors).
        if partial { throw ExitCode(3) }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

Scribe.main()
