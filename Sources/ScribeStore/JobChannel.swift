import Foundation

/// The `scribe_jobs` NOTIFY channel, both ways: the trigger that sends a job's change (`Schema.v1`'s
/// `scribe_jobs_notify`) is written from `payloadExpression`, and every listener reads payloads through `parse`.
public enum JobChannel {
    /// The channel's name.
    static let name = "scribe_jobs"

    /// The payload as the trigger builds it: `<job id> <version> <status> <organisation id>`.
    static let payloadExpression =
        "NEW.id::text || ' ' || NEW.version::text || ' ' || NEW.status\n            || ' ' || NEW.organisation_id::text"

    /// One job's change, as a listener learns of it.
    public struct Change: Sendable, Equatable {
        public let jobID: String
        public let version: Int64
        public let status: String
        public let organisationID: String
    }

    /// The change a payload announces, or nil for a payload that is not one (another sender on the channel).
    static func parse(_ payload: String) -> Change? {
        let f = payload.split(separator: " ", omittingEmptySubsequences: false)
        guard f.count == 4, let version = Int64(f[1]), !f[0].isEmpty, !f[3].isEmpty else { return nil }
        return Change(jobID: String(f[0]), version: version, status: String(f[2]), organisationID: String(f[3]))
    }
}

/// A connection that listens on the job channel: the API's version cache, the dispatcher and a worker's
/// control thread wait on it. `store` runs the dispatcher's statements on the same connection.
public final class JobChangeListener {
    private let db: Connection

    /// Connects and LISTENs.
    public init(url: String, applicationName: String) throws {
        db = try Connection(url: url, applicationName: applicationName)
        try db.execute("LISTEN \(JobChannel.name)", name: "jobs.listen")
    }

    public var isHealthy: Bool { db.isHealthy }

    /// The job store on this connection.
    public var jobs: JobStore { JobStore(db) }

    /// The webhook store on this connection (the sender wakes on the channel when a job ends).
    public var webhooks: WebhookStore { WebhookStore(db) }

    /// A worker's fenced store on this connection.
    public func lease(jobID: String, token: String) -> LeaseStore { LeaseStore(db: db, jobID: jobID, lease: token) }

    /// Waits until a notification arrives, `extraFD` is readable or the time is up; true if woken.
    @discardableResult
    public func wait(timeoutSeconds: Double, extraFD: Int32 = -1) -> Bool {
        db.waitForNotifications(timeoutSeconds: timeoutSeconds, extraFD: extraFD)
    }

    /// The job changes received so far (consumes them).
    public func changes() throws -> [JobChannel.Change] {
        try db.drainNotifications().compactMap { $0.channel == JobChannel.name ? JobChannel.parse($0.payload) : nil }
    }

    /// One round trip: after a quiet spell it proves that the connection is alive.
    public func ping() throws {
        try db.query("SELECT 1", name: "jobs.listen.ping")
    }
}
