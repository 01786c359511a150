import Foundation
import Logging
import ScribeCore
import ScribeCrypto
import ScribeNet
import ScribeQueue
import ScribeStore

/// The JSON API (SPEC §4): routing, authentication, and the handlers in `API+*.swift`.
/// One instance serves all accept threads; each thread has its own database connection.
public final class API: @unchecked Sendable {
    // @unchecked: the caches and counters lock inside; `slots` never changes and each accept thread uses only its
    // own slot; `requestLog` is set by main before the server starts, and only read afterwards.
    let config: Config
    let logger: Logger
    let auth = AuthCache()
    let versions = JobVersionCache()
    let metrics = Metrics()
    let workerHealth = WorkerStartHealth()
    /// This host's files of pages, filled from the database on first read.
    let pages: PageCache
    let coverages = CoverageCache()
    let policy: URLPolicy
    let box: SecretBox?
    /// Log one line per request at info (SCRIBE_REQUEST_LOG=1).
    public var requestLog = false
    /// One slot per accept thread; the array itself never changes, so threads never race on it.
    private final class Slot { var connection: Connection? }
    private let slots: [Slot]

    public init(config: Config, threads: Int, logger: Logger) {
        self.config = config
        self.logger = logger
        self.slots = (0...max(threads, 1)).map { _ in Slot() }
        self.policy = URLPolicy(config: config)
        self.pages = PageCache(dataDir: config.dataDir, maxBytes: config.pageCacheBytes)
        self.box = config.secretKeyHex.flatMap { try? SecretBox(hexKey: $0) }
    }

    /// Starts the LISTEN thread that keeps job versions current.
    public func startListener() {
        VersionListener(url: config.databaseURL, cache: versions, logger: logger).start()
    }

    /// The thread's connection, opened on first use and after a failure.
    func db(_ thread: Int) throws -> Connection {
        let slot = slots[min(thread, slots.count - 1)]
        if let c = slot.connection, c.isHealthy { return c }
        let c = try Connection(url: config.databaseURL, applicationName: "scribe-fcgi")
        slot.connection = c
        return c
    }

    func dropConnection(_ thread: Int) {
        slots[min(thread, slots.count - 1)].connection = nil
    }

    struct Context {
        let request: HTTPRequest
        let thread: Int
        let principal: AccountStore.Principal?
        let api: API

        func db() throws -> Connection { try api.db(thread) }
        var org: String { principal?.organisationID ?? "" }
        var userID: String? { principal?.userID }

        /// The body as a JSON object, or a 400 with a message.
        func jsonObject() throws -> JSONValue {
            guard !request.body.isEmpty else { throw APIError(400, "Request body is empty; expected a JSON object") }
            guard let v = try? JSONValue.parse(request.body) else { throw APIError.badJSON }
            guard v.objectPairs != nil else { throw APIError(400, "Request body must be a JSON object") }
            return v
        }
    }

    /// Answers one request. Never throws: every failure becomes a JSON error without internals.
    public func handle(_ request: HTTPRequest, thread: Int) -> HTTPResponse {
        let started = DispatchTime.now().uptimeNanoseconds
        let response = respond(request, thread: thread)
        metrics.count(status: response.status)
        if requestLog { logRequest(request, response, started: started) }
        return response
    }

    /// One line per request (SCRIBE_REQUEST_LOG=1): method, path (never the query string, which may carry
    /// secrets), status, milliseconds and the job concerned. Failures are logged where they happen.
    private func logRequest(_ request: HTTPRequest, _ response: HTTPResponse, started: UInt64) {
        let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        var meta: Logger.Metadata = [
            "http.method": "\(request.method)", "http.path": "\(request.path)", "http.status": "\(response.status)",
            "duration_ms": "\(String(format: "%.1f", ms))",
        ]
        if let job = Self.jobID(request, response) { meta["job.id"] = "\(job)" }
        logger.info("request", metadata: meta)
    }

    /// The job a request concerns: from its path, or from the Location of a job it created.
    static func jobID(_ request: HTTPRequest, _ response: HTTPResponse) -> String? {
        let prefix = "/api/documentation/jobs/"
        let location = response.headers.first { $0.0 == "Location" }?.1
        for path in [request.path, location ?? ""] where path.hasPrefix(prefix) {
            let id = path.dropFirst(prefix.count).prefix { $0 != "/" }
            if Router.isUUID(String(id)) { return String(id) }
        }
        return nil
    }

    private func respond(_ request: HTTPRequest, thread: Int) -> HTTPResponse {
        let route: Route
        switch Router.match(method: request.method, path: request.path) {
        case .notFound:
            if !request.path.hasPrefix("/api"), let dir = config.staticDir { return StaticFiles.serve(request, from: dir) }
            return .error(.notFound)
        case .methodNotAllowed(let allowed):
            return .error(.methodNotAllowed(allowed), headers: [("Allow", allowed.joined(separator: ", "))])
        case .matched(let r): route = r
        }
        do {
            let principal = route.needsAuth ? try authenticate(request, thread: thread) : nil
            let ctx = Context(request: request, thread: thread, principal: principal, api: self)
            return try dispatch(route, ctx)
        } catch let e as APIError {
            return .error(e)
        } catch let e as PGError {
            if e.isConnectionError {
                dropConnection(thread)
                logger.warning("database unavailable", metadata: ["error": "\(e.description)"])
                return .error(.unavailable)
            }
            logger.error("database error", metadata: ["error": "\(e.description)", "http.path": "\(request.path)"])
            return .error(.internalError)
        } catch {
            logger.error("request failed", metadata: ["error": "\(error)", "http.path": "\(request.path)"])
            return .error(.internalError)
        }
    }

    /// The user behind the request's bearer token (kept in memory briefly), or 401.
    func authenticate(_ request: HTTPRequest, thread: Int) throws -> AccountStore.Principal {
        guard let token = request.bearerToken, token.utf8.count <= 256 else { throw APIError.unauthorized }
        let digest = Secrets.tokenDigest(token)
        let key = Secrets.hex(digest)
        if let p = auth.get(key) { return p }
        guard let p = try AccountStore(try db(thread)).principal(tokenHash: digest) else { throw APIError.unauthorized }
        auth.put(key, p)
        return p
    }

    private func dispatch(_ route: Route, _ c: Context) throws -> HTTPResponse {
        switch route {
        case .health: return try health(c)
        case .metrics: return try metricsText(c)
        case .me: return me(c)
        case .listRepositories: return try listRepositories(c)
        case .createRepository: return try createRepository(c)
        case .getRepository(let id): return try getRepository(c, id)
        case .repositoryDocs(let id): return try repositoryDocs(c, id)
        case .listPages(let id): return try listPages(c, id)
        case .getPage(let id, let path): return try getPage(c, id, path)
        case .searchDocs(let id): return try searchDocs(c, id)
        case .docsZip(let id): return try docsZip(c, id)
        case .generateDocs: return try generateDocs(c)
        case .listJobs: return try listJobs(c)
        case .createJob: return try createJob(c)
        case .getJob(let id): return try getJob(c, id)
        case .jobEvents(let id): return try jobEvents(c, id)
        case .jobObjects(let id): return try jobObjects(c, id)
        case .pauseJob(let id): return try control(c, id, .pause)
        case .resumeJob(let id): return try control(c, id, .resume)
        case .retryJob(let id): return try control(c, id, .retry)
        case .cancelJob(let id): return try control(c, id, .cancel)
        case .setGitHubToken: return try setGitHubToken(c)
        case .setLLMSettings: return try setLLMSettings(c)
        case .listWebhooks(let scope): return try listWebhooks(c, scope)
        case .createWebhook(let scope): return try createWebhook(c, scope)
        case .deleteWebhook(let scope, let id): return try deleteWebhook(c, scope, id)
        case .webhookDeliveries(let scope, let id): return try webhookDeliveries(c, scope, id)
        case .setPushSecret(let id): return try setPushSecret(c, id)
        case .removePushSecret(let id): return try removePushSecret(c, id)
        case .githubHook: return try githubHook(c)
        }
    }

    // MARK: Operations

    /// `ok`, or `degraded` (with the reason) when the database is down (503) or this process cannot start
    /// workers (200: the API itself still answers). No token needed, so nothing in it names a path or a secret.
    private func health(_ c: Context) throws -> HTTPResponse {
        let workers: (String, String?)
        switch workerHealth.state() {
        case .ok: workers = ("ok", nil)
        case .notStartedHere: workers = ("not started by this process", nil)
        case .failing(let why): workers = ("failing", why)
        }
        do {
            let s = try JobStore(try c.db()).stats()
            return .json(
                200,
                .object(
                    [
                        ("status", .string(workers.1 == nil ? "ok" : "degraded")), ("version", .string(ScribeVersion.string)),
                        ("database", .string("ok")),
                        ("worker_start", .string(workers.0)), ("workers_running", .num(s.running)),
                        ("queue_depth", .num(s.queued)), ("oldest_queued_age_seconds", .num(s.oldestQueuedAgeSeconds)),
                        ("host", .string(config.hostID)),
                        ("workers_by_host", .object(s.runningByHost.sorted { $0.key < $1.key }.map { ($0.key, .num($0.value)) })),
                    ] + (workers.1.map { [("error", JSONValue.string($0))] } ?? [])))
        } catch let e as PGError where e.isConnectionError {
            dropConnection(c.thread)
            return .json(
                503,
                .object([
                    ("status", .string("degraded")), ("version", .string(ScribeVersion.string)), ("database", .string("down")),
                    ("worker_start", .string(workers.0)), ("host", .string(config.hostID)),
                    ("error", .string("The database is unavailable")),
                ]))
        }
    }

    /// Who may read the metrics: the scrape token (`SCRIBE_METRICS_TOKEN`) sees every figure of the
    /// service; an administrator sees their organisation's jobs only; anyone else is refused.
    private enum MetricsReader {
        case scraper
        case admin(organisationID: String)
    }

    private func metricsReader(_ c: Context) throws -> MetricsReader {
        guard let token = c.request.bearerToken, token.utf8.count <= 256 else { throw APIError.unauthorized }
        // Digests of equal length, compared without an early exit: the time taken says nothing of the token.
        if let scrape = config.metricsToken, Secrets.constantTimeEqual(Secrets.tokenDigest(token), Secrets.tokenDigest(scrape)) {
            return .scraper
        }
        let p = try authenticate(c.request, thread: c.thread)
        guard p.isAdmin else { throw APIError(403, "Metrics need an administrator's token or the scrape token") }
        return .admin(organisationID: p.organisationID)
    }

    private func metricsText(_ c: Context) throws -> HTTPResponse {
        let reader = try metricsReader(c)
        var org: String? = nil
        if case .admin(let o) = reader { org = o }
        let store = JobStore(try c.db())
        let counts = try store.countsByState(organisationID: org)
        let stats = try store.stats(organisationID: org)
        let scope = org == nil ? "" : "{organisation=\"\(org!)\"}"
        var out = "# HELP scribe_build_info The running release.\n# TYPE scribe_build_info gauge\n"
        out += "scribe_build_info{version=\"\(ScribeVersion.string)\"} 1\n"
        out += "# HELP scribe_jobs Jobs by state.\n# TYPE scribe_jobs gauge\n"
        for s in JobState.allCases {
            let labels = org.map { "organisation=\"\($0)\"," } ?? ""
            out += "scribe_jobs{\(labels)state=\"\(s.rawValue)\"} \(counts[s.rawValue] ?? 0)\n"
        }
        out += "# HELP scribe_queue_oldest_age_seconds Age of the oldest queued job.\n# TYPE scribe_queue_oldest_age_seconds gauge\n"
        out += "scribe_queue_oldest_age_seconds\(scope) \(stats.oldestQueuedAgeSeconds ?? 0)\n"
        // The process's own counters cover every organisation: for the scraper only.
        if case .scraper = reader {
            let m = metrics.snapshot()
            out += "# HELP scribe_http_responses_total Responses by status since start.\n# TYPE scribe_http_responses_total counter\n"
            for (status, n) in m.byStatus.sorted(by: { $0.key < $1.key }) { out += "scribe_http_responses_total{status=\"\(status)\"} \(n)\n" }
            out += "# HELP scribe_workers_spawned_total Workers spawned by this process.\n# TYPE scribe_workers_spawned_total counter\n"
            out += "scribe_workers_spawned_total \(m.spawned)\n"
            out += "# HELP scribe_jobs_rescued_total Jobs rescued by this process's dispatcher.\n# TYPE scribe_jobs_rescued_total counter\n"
            out += "scribe_jobs_rescued_total \(m.rescued)\n"
            out += "# HELP scribe_worker_start_ok Whether this process can start workers (1), or not (0).\n# TYPE scribe_worker_start_ok gauge\n"
            if case .failing = workerHealth.state() { out += "scribe_worker_start_ok 0\n" } else { out += "scribe_worker_start_ok 1\n" }
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4"), ("Cache-Control", "no-store")], body: Array(out.utf8))
    }

    private func me(_ c: Context) -> HTTPResponse {
        guard let p = c.principal else { return .error(.unauthorized) }
        return .json(
            200,
            .object([
                ("user", .object([("id", .string(p.userID)), ("email", .string(p.email)), ("role", .string(p.role))])),
                ("organisation", .object([("id", .string(p.organisationID)), ("name", .string(p.organisationName))])),
            ]))
    }

    private func setGitHubToken(_ c: Context) throws -> HTTPResponse {
        guard let box else { throw APIError(503, "Secret storage is not configured on this server (SCRIBE_SECRET_KEY)") }
        let body = try c.jsonObject()
        guard let userID = c.userID else { throw APIError.unauthorized }
        let token = body["token"]
        if token == nil || token!.isNull {
            try AccountStore(try c.db()).setGitHubToken(userID: userID, sealed: nil)
            return .json(200, .object([("github_token", .string("removed"))]))
        }
        guard let t = token?.stringValue, !t.isEmpty, t.utf8.count <= 1024, !t.contains(where: { $0.isWhitespace }) else {
            throw APIError.badField("token", "expected a GitHub token")
        }
        try AccountStore(try c.db()).setGitHubToken(userID: userID, sealed: try box.seal(t))
        return .json(200, .object([("github_token", .string("stored"))]))
    }

    private func setLLMSettings(_ c: Context) throws -> HTTPResponse {
        guard c.principal?.isAdmin == true else { throw APIError(403, "Only an administrator can change the LLM settings") }
        let input: LLMSettingsInput
        switch LLMSettingsInput.parse(try c.jsonObject(), allowPrivateNetworks: config.allowPrivateNetworks) {
        case .success(let i): input = i
        case .failure(let e): throw e
        }
        if let base = input.baseURL {
            // A name that resolves to a refused address is refused now; the worker checks each connection too.
            do {
                _ = try AddressGuard(allowPrivateNetworks: config.allowPrivateNetworks).check(host: base.host)
            } catch let e as AddressGuard.Refused {
                throw APIError.badField("base_url", e.message)
            }
        }
        var sealed: [UInt8]? = nil
        if case .replace(let k) = input.key {
            guard let box else { throw APIError(503, "Secret storage is not configured on this server (SCRIBE_SECRET_KEY)") }
            sealed = try box.seal(k)
        }
        let store = AccountStore(try c.db())
        let cleared = try store.setLLMSettings(
            organisationID: c.org, baseURL: input.baseURL?.url, model: input.model, sealedKey: sealed, keepKey: input.key == .keep)
        // The key is never read back: only whether one is set.
        let s = try store.llmSettings(organisationID: c.org)
        var fields: [(String, JSONValue)] = [
            ("base_url", .str(s?.baseURL)), ("model", .str(s?.model)), ("api_key_set", .bool(s?.sealedKey != nil)),
        ]
        if cleared {
            fields.append(("api_key_cleared", .bool(true)))
            fields.append(("message", .string("The stored API key was removed: a key is only sent to the base URL it was stored with. Send api_key with the new base_url.")))
        }
        return .json(200, .object(fields))
    }
}

extension API {
    /// Starts the dispatcher thread of this process, sharing the metrics.
    public func startDispatcher(launcher: WorkerLauncher) {
        let d = Dispatcher(config: config, logger: logger, launcher: launcher)
        d.attach(metrics: metrics)
        d.attach(health: workerHealth)
        d.start()
    }
}
