/// The event a webhook receives when a job ends (`job.completed`, `job.failed`, `job.cancelled`): the job as
/// it ended, snapshotted by the database in the transaction that ended it, and sent as the same bytes on
/// every attempt.
public struct WebhookEvent: Equatable, Sendable {
    public static let names = ["job.completed", "job.failed", "job.cancelled"]

    public var event: String
    public var deliveryID: String
    public var jobID: String
    public var repositoryID: String
    public var repositoryURL: String
    public var status: String
    public var partial: Bool
    public var processedObjects: Int
    public var failedObjects: Int
    public var totalObjects: Int
    public var errorMessage: String?
    public var resolvedCommit: String?
    public var finishedAt: String

    public init(
        event: String, deliveryID: String, jobID: String, repositoryID: String, repositoryURL: String, status: String,
        partial: Bool, processedObjects: Int, failedObjects: Int, totalObjects: Int, errorMessage: String?,
        resolvedCommit: String?, finishedAt: String
    ) {
        self.event = event
        self.deliveryID = deliveryID
        self.jobID = jobID
        self.repositoryID = repositoryID
        self.repositoryURL = repositoryURL
        self.status = status
        self.partial = partial
        self.processedObjects = processedObjects
        self.failedObjects = failedObjects
        self.totalObjects = totalObjects
        self.errorMessage = errorMessage
        self.resolvedCommit = resolvedCommit
        self.finishedAt = finishedAt
    }

    /// The stored snapshot (`webhook_deliveries.payload`), or nil when it is not one.
    public init?(event: String, deliveryID: String, snapshot: JSONValue) {
        guard WebhookEvent.names.contains(event), let job = snapshot["job_id"]?.stringValue,
            let repo = snapshot["repository_id"]?.stringValue, let status = snapshot["status"]?.stringValue,
            let finished = snapshot["finished_at"]?.stringValue
        else { return nil }
        func int(_ k: String) -> Int { snapshot[k]?.intValue.map { Int($0) } ?? 0 }
        self.init(
            event: event, deliveryID: deliveryID, jobID: job, repositoryID: repo,
            repositoryURL: snapshot["repository_url"]?.stringValue ?? "", status: status,
            partial: snapshot["partial"]?.boolValue ?? false, processedObjects: int("processed_objects"),
            failedObjects: int("failed_objects"), totalObjects: int("total_objects"),
            errorMessage: snapshot["error_message"]?.stringValue,
            resolvedCommit: snapshot["resolved_commit"]?.stringValue,
            finishedAt: finished)
    }

    /// Where people read the repository's documentation and the job's outcome: the status page's
    /// repository view, under `SCRIBE_PUBLIC_URL` when it is set (else a path on the server).
    public func docsURL(publicURL: String?) -> String {
        (publicURL ?? "") + "/#/r/" + repositoryID
    }

    /// The body sent: a JSON object, keys in a fixed order.
    public func body(publicURL: String?) -> [UInt8] {
        let json = JSONValue.object([
            ("event", .string(event)), ("delivery_id", .string(deliveryID)), ("job_id", .string(jobID)),
            ("repository_id", .string(repositoryID)), ("repository_url", .string(repositoryURL)),
            ("status", .string(status)), ("partial", .bool(partial)), ("processed_objects", .num(processedObjects)),
            ("failed_objects", .num(failedObjects)), ("total_objects", .num(totalObjects)),
            ("error_message", .str(errorMessage)), ("resolved_commit", .str(resolvedCommit)),
            ("finished_at", .string(finishedAt)), ("docs_url", .string(docsURL(publicURL: publicURL))),
        ])
        return Array(json.serialized().utf8)
    }
}
