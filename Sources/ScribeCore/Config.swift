import Foundation

/// A configuration error names the variable, so a person can fix it.
public struct ConfigError: Error, CustomStringConvertible {
    public let variable: String
    public let problem: String
    public var description: String { "\(variable): \(problem)" }
}

/// Everything configurable comes from the environment (SPEC §7), with safe defaults.
public struct Config: Sendable {
    public var databaseURL: String
    public var dataDir: String
    public var socketPath: String
    public var fcgiThreads: Int
    public var maxWorkers: Int
    public var leaseSeconds: Int
    public var heartbeatSeconds: Int
    public var retryBaseSeconds: Double
    public var secretKeyHex: String?
    public var githubAPI: String
    public var allowedHosts: [String]
    /// Hosts whose repositories are GitHub's (token, REST API at githubAPI); a test stand-in can be one.
    public var githubHosts: [String]
    public var allowLocalRepos: Bool
    /// Outbound requests (git, GitHub's API, the LLM API) may reach loopback, private, link-local and
    /// unique-local addresses: for development and tests whose services run on this machine, never production.
    public var allowPrivateNetworks: Bool
    public var llmBaseURL: String?
    public var llmModel: String?
    public var llmAPIKey: String?
    public var logLevel: String
    public var llmConcurrency: Int
    public var llmMaxRequestsPerMinute: Int
    /// US dollars per million tokens, for estimates and the actual cost.
    public var llmPricePromptPerMillion: Double
    public var llmPriceCompletionPerMillion: Double
    public var llmTimeoutSeconds: Int
    public var llmMaxRetries: Int
    public var workerPath: String?
    public var dispatcherEnabled: Bool
    public var objectDelayMilliseconds: Int
    public var accelRedirect: Bool
    public var cloneTimeoutSeconds: Int
    public var maxRepositoryMegabytes: Int
    public var maxBodyBytes: Int
    /// The status page's folder, served by scribe-fcgi for hosts that send every request through FastCGI.
    public var staticDir: String?
    /// Active jobs (queued, running, paused) an organisation may have at once; more get 429.
    public var maxActiveJobsPerOrganisation: Int
    /// The highest job priority an administrator may ask for (members: the default, 0, at most).
    public var maxPriority: Int
    /// The FastCGI socket's listen backlog (capped by the kernel's `net.core.somaxconn`): a burst of
    /// connections beyond it gets 502 from nginx.
    public var listenBacklog: Int
    /// Lets a scraper read `/api/metrics` with `Authorization: Bearer <token>`; a secret, never logged.
    public var metricsToken: String?
    /// This machine's name among the hosts sharing the database (default: the host name). Every process of
    /// one machine must share it and no two machines may: it says whose workers a pid check may judge.
    public var hostID: String
    /// Per repository, the completed jobs whose pages are kept (besides the one the repository points at).
    public var keepVersions: Int
    /// The bound of this host's cache of page files (`$SCRIBE_DATA_DIR/docs/cache`).
    public var pageCacheBytes: Int64
    /// How often a dispatcher applies retention and cleans this host's caches and work folders (0: never).
    public var gcSeconds: Int
    /// The base of the backoff between attempts of a webhook delivery (doubling, with jitter, up to an hour;
    /// retried for a day). An operations and test knob: tests set it low so a retry comes in a second.
    public var webhookRetryBaseSeconds: Double = 30
    /// How long one delivery attempt may take, connection included.
    public var webhookTimeoutSeconds: Int = 10
    /// Days a finished delivery stays in the delivery log before retention removes it.
    public var webhookKeepDays: Int = 30
    /// The address people open Scribe at (`https://scribe.example.com`), for links in webhook events.
    public var publicURL: String?

    public static let variables = [
        "DATABASE_URL", "SCRIBE_DATA_DIR", "SCRIBE_SOCKET", "SCRIBE_FCGI_THREADS", "SCRIBE_MAX_WORKERS",
        "SCRIBE_LEASE_SECONDS", "SCRIBE_HEARTBEAT_SECONDS", "SCRIBE_RETRY_BASE_SECONDS", "SCRIBE_SECRET_KEY",
        "SCRIBE_GITHUB_API", "SCRIBE_GITHUB_HOSTS", "SCRIBE_ALLOWED_HOSTS", "SCRIBE_ALLOW_LOCAL_REPOS",
        "SCRIBE_ALLOW_PRIVATE_NETWORKS", "SCRIBE_LLM_BASE_URL",
        "SCRIBE_LLM_MODEL", "SCRIBE_LLM_API_KEY", "SCRIBE_LOG_LEVEL", "SCRIBE_WORKER_PATH", "SCRIBE_DISPATCHER",
        "SCRIBE_WORKER_OBJECT_DELAY_MS", "SCRIBE_ACCEL_REDIRECT", "SCRIBE_CLONE_TIMEOUT_SECONDS",
        "SCRIBE_MAX_REPOSITORY_MB", "SCRIBE_LLM_CONCURRENCY", "SCRIBE_LLM_MAX_RPM", "SCRIBE_LLM_PRICE_PROMPT",
        "SCRIBE_LLM_PRICE_COMPLETION", "SCRIBE_LLM_TIMEOUT_SECONDS", "SCRIBE_LLM_MAX_RETRIES", "SCRIBE_STATIC_DIR",
        "SCRIBE_MAX_ACTIVE_JOBS_PER_ORG", "SCRIBE_MAX_PRIORITY", "SCRIBE_LISTEN_BACKLOG", "SCRIBE_METRICS_TOKEN",
        "SCRIBE_HOST_ID", "SCRIBE_KEEP_VERSIONS", "SCRIBE_PAGE_CACHE_MB", "SCRIBE_GC_SECONDS",
        "SCRIBE_WEBHOOK_RETRY_BASE_SECONDS", "SCRIBE_WEBHOOK_TIMEOUT_SECONDS", "SCRIBE_WEBHOOK_KEEP_DAYS", "SCRIBE_PUBLIC_URL",
    ]

    /// Reads and checks every variable. The checks run in a fixed order (the first bad variable is the one
    /// reported): the ones read before the memberwise call, then its arguments in order, then the webhook knobs.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> Config {
        let e = EnvironmentReader(env: env)
        let db = try e.databaseURL()
        let absData = e.dataDir()
        let key = try e.secretKey()
        let retryBase = try e.seconds("SCRIBE_RETRY_BASE_SECONDS", 2.0)
        let webhookRetryBase = try e.seconds("SCRIBE_WEBHOOK_RETRY_BASE_SECONDS", 30.0)
        let publicURL = try e.publicURL()
        let hosts = e.hosts("SCRIBE_ALLOWED_HOSTS")
        let level = try e.logLevel()
        let hostID = try e.hostID()
        let (lease, heartbeat) = try e.leaseAndHeartbeat()
        var config = Config(
            databaseURL: db,
            dataDir: absData,
            socketPath: e.string("SCRIBE_SOCKET") ?? absData + "/run/scribe-fcgi.sock",
            fcgiThreads: try e.int("SCRIBE_FCGI_THREADS", 4, min: 1),
            maxWorkers: try e.int("SCRIBE_MAX_WORKERS", 4, min: 0),
            leaseSeconds: lease,
            heartbeatSeconds: heartbeat,
            retryBaseSeconds: max(0.1, retryBase),
            secretKeyHex: key,
            githubAPI: e.string("SCRIBE_GITHUB_API") ?? "https://api.github.com",
            allowedHosts: hosts,
            githubHosts: e.hosts("SCRIBE_GITHUB_HOSTS"),
            allowLocalRepos: try e.bool("SCRIBE_ALLOW_LOCAL_REPOS", false),
            allowPrivateNetworks: try e.bool("SCRIBE_ALLOW_PRIVATE_NETWORKS", false),
            llmBaseURL: e.string("SCRIBE_LLM_BASE_URL"),
            llmModel: e.string("SCRIBE_LLM_MODEL"),
            llmAPIKey: e.string("SCRIBE_LLM_API_KEY"),
            logLevel: level,
            llmConcurrency: try e.int("SCRIBE_LLM_CONCURRENCY", 4, min: 1),
            llmMaxRequestsPerMinute: try e.int("SCRIBE_LLM_MAX_RPM", 0),
            llmPricePromptPerMillion: try e.price("SCRIBE_LLM_PRICE_PROMPT", 0.15),
            llmPriceCompletionPerMillion: try e.price("SCRIBE_LLM_PRICE_COMPLETION", 0.60),
            llmTimeoutSeconds: try e.int("SCRIBE_LLM_TIMEOUT_SECONDS", 120, min: 1),
            llmMaxRetries: try e.int("SCRIBE_LLM_MAX_RETRIES", 4),
            workerPath: e.string("SCRIBE_WORKER_PATH"),
            dispatcherEnabled: try e.bool("SCRIBE_DISPATCHER", true),
            objectDelayMilliseconds: try e.int("SCRIBE_WORKER_OBJECT_DELAY_MS", 0),
            accelRedirect: try e.bool("SCRIBE_ACCEL_REDIRECT", true),
            cloneTimeoutSeconds: try e.int("SCRIBE_CLONE_TIMEOUT_SECONDS", 300, min: 1),
            maxRepositoryMegabytes: try e.int("SCRIBE_MAX_REPOSITORY_MB", 1024, min: 1),
            maxBodyBytes: 1 << 20,
            staticDir: e.string("SCRIBE_STATIC_DIR"),
            maxActiveJobsPerOrganisation: try e.int("SCRIBE_MAX_ACTIVE_JOBS_PER_ORG", 100, min: 1),
            maxPriority: min(try e.int("SCRIBE_MAX_PRIORITY", 10), 100),
            listenBacklog: try e.int("SCRIBE_LISTEN_BACKLOG", 4096, min: 16),
            metricsToken: try e.metricsToken(),
            hostID: hostID,
            keepVersions: try e.int("SCRIBE_KEEP_VERSIONS", 5, min: 1),
            pageCacheBytes: Int64(try e.int("SCRIBE_PAGE_CACHE_MB", 1024, min: 1)) << 20,
            gcSeconds: try e.int("SCRIBE_GC_SECONDS", 3600)
        )
        config.webhookRetryBaseSeconds = webhookRetryBase
        config.webhookTimeoutSeconds = try e.int("SCRIBE_WEBHOOK_TIMEOUT_SECONDS", 10, min: 1)
        config.webhookKeepDays = try e.int("SCRIBE_WEBHOOK_KEEP_DAYS", 30, min: 1)
        config.publicURL = publicURL
        return config
    }

    /// The machine's host name (gethostname), the default host id.
    public static func hostname() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        let name = String(cString: buf)
        return name.isEmpty ? "localhost" : name
    }
}

/// The environment's variables read one kind at a time: an unset or empty variable takes the default, a
/// bad one is a `ConfigError` that names it (and never repeats a secret's value).
private struct EnvironmentReader {
    let env: [String: String]

    /// The value, or nil when unset or empty.
    func string(_ name: String) -> String? {
        env[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    func int(_ name: String, _ def: Int, min lo: Int = 0) throws -> Int {
        guard let raw = env[name], !raw.isEmpty else { return def }
        guard let v = Int(raw), v >= lo else {
            throw ConfigError(variable: name, problem: "expected a whole number of at least \(lo), got '\(raw)'")
        }
        return v
    }

    func bool(_ name: String, _ def: Bool) throws -> Bool {
        guard let raw = env[name]?.lowercased(), !raw.isEmpty else { return def }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError(variable: name, problem: "expected 1 or 0, got '\(raw)'")
        }
    }

    func price(_ name: String, _ def: Double) throws -> Double {
        guard let raw = env[name], !raw.isEmpty else { return def }
        guard let v = Double(raw), v >= 0 else { throw ConfigError(variable: name, problem: "expected US dollars per million tokens, got '\(raw)'") }
        return v
    }

    /// A backoff base: seconds, fractions allowed, from 0.1 to an hour.
    func seconds(_ name: String, _ def: Double) throws -> Double {
        guard let raw = env[name], !raw.isEmpty else { return def }
        guard let v = Double(raw), v >= 0.1, v <= 3600 else {
            throw ConfigError(variable: name, problem: "expected seconds between 0.1 and 3600, got '\(raw)'")
        }
        return v
    }

    /// A comma-separated host list, lower-cased (default: github.com).
    func hosts(_ name: String) -> [String] {
        (env[name] ?? "github.com").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    func databaseURL() throws -> String {
        guard let db = env["DATABASE_URL"], !db.isEmpty else {
            throw ConfigError(variable: "DATABASE_URL", problem: "is required (a libpq connection URI, e.g. postgresql://user@/scribe?host=/run/postgresql)")
        }
        return db
    }

    /// SCRIBE_DATA_DIR made absolute against the working directory (default ./data).
    func dataDir() -> String {
        let dataDir = string("SCRIBE_DATA_DIR") ?? "./data"
        return dataDir.hasPrefix("/") ? dataDir : FileManager.default.currentDirectoryPath + "/" + dataDir
    }

    func secretKey() throws -> String? {
        let key = string("SCRIBE_SECRET_KEY")
        if let key, key.utf8.count != 64 || !key.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }) {
            throw ConfigError(variable: "SCRIBE_SECRET_KEY", problem: "must be 64 hexadecimal characters (32 bytes), e.g. from `openssl rand -hex 32`")
        }
        return key
    }

    /// The address for links in webhook events, without trailing slashes.
    func publicURL() throws -> String? {
        var publicURL = string("SCRIBE_PUBLIC_URL")
        if let raw = publicURL {
            guard raw.hasPrefix("https://") || raw.hasPrefix("http://"), raw.utf8.count <= 512,
                raw.utf8.allSatisfy({ $0 > 32 && $0 < 127 }), !raw.contains("?"), !raw.contains("#")
            else {
                throw ConfigError(variable: "SCRIBE_PUBLIC_URL", problem: "expected an http(s) URL without query or fragment, e.g. https://scribe.example.com")
            }
            while publicURL?.hasSuffix("/") == true { publicURL?.removeLast() }
        }
        return publicURL
    }

    func logLevel() throws -> String {
        let level = env["SCRIBE_LOG_LEVEL"].flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? "info"
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level) else {
            throw ConfigError(variable: "SCRIBE_LOG_LEVEL", problem: "expected one of trace, debug, info, notice, warning, error, critical")
        }
        return level
    }

    func hostID() throws -> String {
        let hostID = string("SCRIBE_HOST_ID") ?? Config.hostname()
        // It is shown on jobs and in /api/health, and compared as given: printable, short, no spaces.
        guard (1...128).contains(hostID.utf8.count), hostID.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw ConfigError(variable: "SCRIBE_HOST_ID", problem: "expected 1 to 128 printable characters without spaces")
        }
        return hostID
    }

    /// The lease and the heartbeat that renews it: at least two heartbeats fit in a lease.
    func leaseAndHeartbeat() throws -> (lease: Int, heartbeat: Int) {
        let lease = try int("SCRIBE_LEASE_SECONDS", 30, min: 2)
        let heartbeat = try int("SCRIBE_HEARTBEAT_SECONDS", 5, min: 1)
        guard heartbeat * 2 <= lease else {
            throw ConfigError(variable: "SCRIBE_HEARTBEAT_SECONDS", problem: "must be at most half of SCRIBE_LEASE_SECONDS (\(lease))")
        }
        return (lease, heartbeat)
    }

    func metricsToken() throws -> String? {
        guard let raw = env["SCRIBE_METRICS_TOKEN"], !raw.isEmpty else { return nil }
        // The value itself is never part of the message: it is a secret.
        guard raw.utf8.count >= 16, raw.utf8.count <= 256, raw.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw ConfigError(variable: "SCRIBE_METRICS_TOKEN", problem: "expected 16 to 256 printable characters without spaces")
        }
        return raw
    }
}
