import Foundation
import ScribeCore

/// Stops this process's work at once: it kills the process group of every tool that `Subprocess` is
/// running (git, ctags, the Swift symbol reader, dot), refuses to start new ones, and tells long loops of
/// the analysis to return early. The worker's control thread trips it when a cancel or pause request, a lost
/// lease or SIGTERM arrives, so that no step waits for a tool to finish before the job stops.
public final class StopSwitch: Sendable {
    private struct State {
        var reason: String? = nil
        var groups: Set<pid_t> = []
    }

    private let state = Locked(State())

    public init() {}

    /// The switch of this process; a worker runs one job, so one switch stops all of its work.
    public static let process = StopSwitch()

    /// Why work was stopped, or nil while it may go on.
    public var reason: String? { state.withLock { $0.reason } }
    public var isTripped: Bool { reason != nil }

    /// Stops everything now; the first reason is kept.
    public func trip(_ reason: String) {
        let groups: Set<pid_t> = state.withLock { s in
            if s.reason == nil { s.reason = reason }
            return s.groups
        }
        for g in groups { kill(-g, SIGKILL) }
    }

    /// Records a tool's process group (its leader's pid). Returns false, having killed the group, when the
    /// switch was already tripped: a tool started in the same instant as the trip does not survive it.
    func register(group: pid_t) -> Bool {
        let tripped: Bool = state.withLock { s in
            s.groups.insert(group)
            return s.reason != nil
        }
        if tripped { kill(-group, SIGKILL) }
        return !tripped
    }

    func unregister(group: pid_t) {
        state.withLock { _ = $0.groups.remove(group) }
    }
}
