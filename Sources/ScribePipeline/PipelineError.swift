import ScribeCore

/// How a pipeline failure is handled (SPEC §3 error categories).
public enum PipelineError: Error, CustomStringConvertible {
    /// Fail the job now with this message for people.
    case fatal(String)
    /// Retry the job later with backoff (network, timeouts, 5xx, lost database).
    case transient(String)
    /// Cancel or pause was requested, or the lease was lost: stop quietly.
    case stopped(StopReason)

    public enum StopReason: Sendable { case cancel, pause, leaseLost, terminated }

    public var description: String {
        switch self {
        case .fatal(let m): return m
        case .transient(let m): return m
        case .stopped(let r): return "stopped (\(r))"
        }
    }
}
