/// The state of one object (a module) of a job, its checkpoint row in `job_objects`; the table's CHECK holds
/// the same five values.
public enum ObjectStatus: String, CaseIterable, Sendable {
    case pending, running, done, failed, skipped

    /// Done or kept from an earlier run: a resumed job does not generate it again while its page exists.
    public var isFinished: Bool { self == .done || self == .skipped }
}

/// How one layer of an object ended (an LLM request, the page check), as its event records it.
public enum LayerStatus: String, Sendable {
    case done, failed
    /// Written, with findings (unverifiable mentions).
    case warning
}

/// A job's objects so far: documented (or reused), failed, and the total this run documents.
public struct ObjectCounts: Sendable, Equatable {
    public var processed: Int
    public var failed: Int
    public var total: Int

    public init(processed: Int, failed: Int, total: Int) {
        self.processed = processed
        self.failed = failed
        self.total = total
    }

    /// Objects with an outcome (documented, reused or failed).
    public var finished: Int { processed + failed }
}
