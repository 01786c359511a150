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
