import Foundation
import Logging
import ScribeCore
import ScribeNet
import ScribeStore

/// The JSON API (SPEC §4): routing, authentication, and the handlers in `API+*.swift`.
/// One instance serves all accept threads; each thread has its own database connection.
public final class API: @unchecked Sendable {
    let config: Config
    let logger: Logger
    let auth = AuthCache()
    let versions = JobVersionCache()
    let metrics = Metrics()
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
            var principal: AccountStore.Principal? = nil
            if route.needsAuth {
                guard let token = request.bearerToken, token.utf8.count <= 256 else { throw APIError.unauthorized }
                let digest = Secrets.tokenDigest(token)
                let key = Secrets.hex(digest)
                if let p = auth.get(key) {
                    principal = p
                } else {
                    guard let p = try AccountStore(try db(thread)).principal(tokenHash: digest) else { throw APIError.unauthorized }
                    auth.put(key, p)
                    principal = p
                }
            }
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
        }
    }

    // MARK: Operations

    private func health(_ c: Context) throws -> HTTPResponse {
        do {
            let s = try JobStore(try c.db()).stats()
            return .json(
                200,
                .object([
                    ("status", .string("ok")), ("version", .string(ScribeVersion.string)), ("database", .string("ok")),
                    ("workers_running", .num(s.running)),
                    ("queue_depth", .num(s.queued)), ("oldest_queued_age_seconds", .num(s.oldestQueuedAgeSeconds)),
                ]))
        } catch let e as PGError where e.isConnectionError {
            dropConnection(c.thread)
            return .json(
                503,
                .object([
                    ("status", .string("degraded")), ("version", .string(ScribeVersion.string)), ("database", .string("down")),
                    ("error", .string("The database is unavailable")),
                ]))
        }
    }

    private func metricsText(_ c: Context) throws -> HTTPResponse {
        let counts = try JobStore(try c.db()).countsByState()
        let stats = try JobStore(try c.db()).stats()
        let m = metrics.snapshot()
        var out = "# HELP scribe_build_info The running release.\n# TYPE scribe_build_info gauge\n"
        out += "scribe_build_info{version=\"\(ScribeVersion.string)\"} 1\n"
        out += "# HELP scribe_jobs Jobs by state.\n# TYPE scribe_jobs gauge\n"
        for s in JobState.allCases { out += "scribe_jobs{state=\"\(s.rawValue)\"} \(counts[s.rawValue] ?? 0)\n" }
        out += "# HELP scribe_queue_oldest_age_seconds Age of the oldest queued job.\n# TYPE scribe_queue_oldest_age_seconds gauge\n"
        out += "scribe_queue_oldest_age_seconds \(stats.oldestQueuedAgeSeconds ?? 0)\n"
        out += "# HELP scribe_http_responses_total Responses by status since start.\n# TYPE scribe_http_responses_total counter\n"
        for (status, n) in m.byStatus.sorted(by: { $0.key < $1.key }) { out += "scribe_http_responses_total{status=\"\(status)\"} \(n)\n" }
        out += "# HELP scribe_workers_spawned_total Workers spawned by this process.\n# TYPE scribe_workers_spawned_total counter\n"
        out += "scribe_workers_spawned_total \(m.spawned)\n"
        out += "# HELP scribe_jobs_rescued_total Jobs rescued by this process's dispatcher.\n# TYPE scribe_jobs_rescued_total counter\n"
        out += "scribe_jobs_rescued_total \(m.rescued)\n"
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4")], body: Array(out.utf8))
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
        let body = try c.jsonObject()
        let base = body["base_url"]?.stringValue
        if let base, !(base.hasPrefix("https://") || base.hasPrefix("http://")) {
            throw APIError.badField("base_url", "expected an http(s) URL")
        }
        let model = body["model"]?.stringValue
        var sealed: [UInt8]? = nil
        let keyValue = body["api_key"]
        let keepKey = keyValue == nil
        if let k = keyValue?.stringValue, !k.isEmpty {
            guard let box else { throw APIError(503, "Secret storage is not configured on this server (SCRIBE_SECRET_KEY)") }
            sealed = try box.seal(k)
        }
        try AccountStore(try c.db()).setLLMSettings(
            organisationID: c.org, baseURL: base, model: model, sealedKey: sealed, keepKey: keepKey)
        // The key is never read back: only whether one is set.
        let s = try AccountStore(try c.db()).llmSettings(organisationID: c.org)
        return .json(
            200,
            .object([("base_url", .str(s?.baseURL)), ("model", .str(s?.model)), ("api_key_set", .bool(s?.sealedKey != nil))]))
    }
}

extension API {
    /// Starts the dispatcher thread of this process, sharing the metrics.
    public func startDispatcher(launcher: WorkerLauncher) {
        let d = Dispatcher(config: config, logger: logger, launcher: launcher)
        d.attach(metrics: metrics)
        d.start()
    }
}
