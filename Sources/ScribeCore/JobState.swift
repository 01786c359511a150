/// The states of a documentation job (SPEC §2).
public enum JobState: String, CaseIterable, Sendable {
    case queued, running, paused, completed, failed, cancelled

    /// Active states hold the repository's single active-job slot.
    public var isActive: Bool { self == .queued || self == .running || self == .paused }
    public var isTerminal: Bool { !isActive }

    /// What the seeds' `GET /api/repositories/{id}/docs` calls this state.
    public var docsStatus: String {
        switch self {
        case .queued, .running, .paused: return "generating"
        case .completed: return "completed"
        case .failed, .cancelled: return "failed"
        }
    }
}

/// Why a job moves from one state to another; each maps to one guarded SQL statement.
public enum JobEvent: String, Sendable {
    case claim  // dispatcher takes a queued job
    case requeue  // transient failure or rescued worker, attempts left
    case pause  // running worker stops at an object boundary, or a queued job is held
    case resume
    case cancel
    case complete
    case fail
    case retry  // a person asks again after failure or cancel
}

public enum JobTransitions {
    /// The state machine of SPEC §2: the target state, or nil when the event is refused.
    public static func target(from state: JobState, on event: JobEvent) -> JobState? {
        switch (state, event) {
        case (.queued, .claim): return .running
        case (.running, .requeue): return .queued
        case (.running, .pause), (.queued, .pause): return .paused
        case (.paused, .resume): return .queued
        case (.queued, .cancel), (.running, .cancel), (.paused, .cancel): return .cancelled
        case (.running, .complete): return .completed
        case (.running, .fail): return .failed
        case (.failed, .retry), (.cancelled, .retry): return .queued
        default: return nil
        }
    }

    public static func allows(_ state: JobState, _ event: JobEvent) -> Bool { target(from: state, on: event) != nil }

    /// What decides the next state of a running job whose attempt ended without a final state of its own (a
    /// transient error, a worker that died, a lease that expired).
    public enum ReleaseCondition: Sendable, CaseIterable {
        case cancelRequested, pauseRequested, attemptsLeft, otherwise
    }

    /// The release rule, checked in this order: a pending cancel, then a pending pause, then the attempts left;
    /// else the job fails. The worker, the reaper and the rescue all run it: the store's release statement is
    /// written from this list, and `released` reads it the same way.
    public static let releaseOrder: [(when: ReleaseCondition, event: JobEvent)] = [
        (.cancelRequested, .cancel), (.pauseRequested, .pause), (.attemptsLeft, .requeue), (.otherwise, .fail),
    ]

    /// The state a released attempt leads to (see `releaseOrder`).
    public static func released(cancelRequested: Bool, pauseRequested: Bool, attempt: Int, maxAttempts: Int) -> JobState {
        for (when, event) in releaseOrder {
            let holds: Bool
            switch when {
            case .cancelRequested: holds = cancelRequested
            case .pauseRequested: holds = pauseRequested
            case .attemptsLeft: holds = attempt < maxAttempts
            case .otherwise: holds = true
            }
            if holds, let state = target(from: .running, on: event) { return state }
        }
        return .failed
    }

    /// The message a person sees when an action is refused in a state.
    public static func refusal(_ event: JobEvent, in state: JobState) -> String {
        switch event {
        case .pause: return "Only a queued or running job can be paused (this job is \(state.rawValue))"
        case .resume: return "Only a paused job can be resumed (this job is \(state.rawValue))"
        case .cancel: return "Only a queued, running or paused job can be cancelled (this job is \(state.rawValue))"
        case .retry: return "Only a failed or cancelled job can be retried (this job is \(state.rawValue))"
        default: return "This job is \(state.rawValue)"
        }
    }
}
