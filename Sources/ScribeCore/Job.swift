/// A documentation job as stored (SPEC §2), read by the API and the worker.
public struct Job: Sendable {
    public var id: String
    public var organisationID: String
    public var repositoryID: String
    public var state: JobState
    public var progress: Int
    public var currentStep: String?
    public var currentObject: String?
    public var processedObjects: Int
    public var failedObjects: Int
    public var totalObjects: Int
    public var attempt: Int
    public var maxAttempts: Int
    public var createdAt: String
    public var startedAt: String?
    public var heartbeatAt: String?
    public var finishedAt: String?
    public var estimatedCompletionAt: String?
    public var runAfter: String?
    public var errorMessage: String?
    public var errorLog: JSONValue
    public var options: JSONValue
    public var resolvedCommit: String?
    public var cacheKey: String?
    public var cacheHit: Bool
    public var docsPath: String?
    public var generator: String
    public var model: String?
    public var promptTokens: Int64
    public var completionTokens: Int64
    public var costEstimatedUSD: Double?
    public var costActualUSD: Double
    public var triggeredBy: String?
    public var pauseRequested: Bool
    public var cancelRequested: Bool
    public var version: Int64
    public var unverifiedMentions: Int
    /// The host id (SCRIBE_HOST_ID) of the dispatcher that started the job's latest worker.
    public var workerHost: String?

    public init(
        id: String, organisationID: String, repositoryID: String, state: JobState, progress: Int = 0,
        currentStep: String? = nil, currentObject: String? = nil, processedObjects: Int = 0, failedObjects: Int = 0,
        totalObjects: Int = 0, attempt: Int = 0, maxAttempts: Int = 3, createdAt: String = "", startedAt: String? = nil,
        heartbeatAt: String? = nil, finishedAt: String? = nil, estimatedCompletionAt: String? = nil, runAfter: String? = nil,
        errorMessage: String? = nil, errorLog: JSONValue = .array([]), options: JSONValue = .object([]),
        resolvedCommit: String? = nil, cacheKey: String? = nil, cacheHit: Bool = false, docsPath: String? = nil,
        generator: String = "builtin", model: String? = nil, promptTokens: Int64 = 0, completionTokens: Int64 = 0,
        costEstimatedUSD: Double? = nil, costActualUSD: Double = 0, triggeredBy: String? = nil,
        pauseRequested: Bool = false, cancelRequested: Bool = false, version: Int64 = 1, unverifiedMentions: Int = 0,
        workerHost: String? = nil
    ) {
        self.id = id
        self.organisationID = organisationID
        self.repositoryID = repositoryID
        self.state = state
        self.progress = progress
        self.currentStep = currentStep
        self.currentObject = currentObject
        self.processedObjects = processedObjects
        self.failedObjects = failedObjects
        self.totalObjects = totalObjects
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.finishedAt = finishedAt
        self.estimatedCompletionAt = estimatedCompletionAt
        self.runAfter = runAfter
        self.errorMessage = errorMessage
        self.errorLog = errorLog
        self.options = options
        self.resolvedCommit = resolvedCommit
        self.cacheKey = cacheKey
        self.cacheHit = cacheHit
        self.docsPath = docsPath
        self.generator = generator
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costEstimatedUSD = costEstimatedUSD
        self.costActualUSD = costActualUSD
        self.triggeredBy = triggeredBy
        self.pauseRequested = pauseRequested
        self.cancelRequested = cancelRequested
        self.version = version
        self.unverifiedMentions = unverifiedMentions
        self.workerHost = workerHost
    }

    /// Completed, but some modules failed: the documentation lacks them (SPEC §3, graceful degradation).
    public var isPartial: Bool { state == .completed && failedObjects > 0 }

    /// The ETag of this version of the job; it changes with every stored update.
    public var etag: String { Job.etag(id: id, version: version) }
    public static func etag(id: String, version: Int64) -> String { "\"\(id)-\(version)\"" }

    public var json: JSONValue {
        .object([
            ("id", .string(id)), ("repository_id", .string(repositoryID)), ("status", .string(state.rawValue)),
            ("progress", .num(progress)), ("current_step", .str(currentStep)), ("current_object", .str(currentObject)),
            ("processed_objects", .num(processedObjects)), ("failed_objects", .num(failedObjects)),
            ("partial", .bool(isPartial)),
            ("total_objects", .num(totalObjects)), ("attempt", .num(attempt)), ("max_attempts", .num(maxAttempts)),
            ("created_at", .string(createdAt)), ("started_at", .str(startedAt)), ("heartbeat_at", .str(heartbeatAt)),
            ("finished_at", .str(finishedAt)), ("estimated_completion_at", .str(estimatedCompletionAt)),
            ("run_after", .str(runAfter)), ("error_message", .str(errorMessage)), ("error_log", errorLog),
            ("options", options), ("resolved_commit", .str(resolvedCommit)), ("cache_key", .str(cacheKey)),
            ("cache_hit", .bool(cacheHit)), ("docs_path", .str(docsPath)), ("generator", .string(generator)),
            ("model", .str(model)), ("prompt_tokens", .num(promptTokens)), ("completion_tokens", .num(completionTokens)),
            ("cost_estimated_usd", .num(costEstimatedUSD)), ("cost_actual_usd", .double(costActualUSD)),
            ("triggered_by", .str(triggeredBy)), ("pause_requested", .bool(pauseRequested)),
            ("cancel_requested", .bool(cancelRequested)), ("unverified_mentions", .num(unverifiedMentions)),
            ("worker_host", .str(workerHost)), ("version", .num(version)),
        ])
    }
}
