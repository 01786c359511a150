import Testing

@testable import ScribeCore

/// The state machine of SPEC §2, written out independently of the code under test.
@Suite("Job transitions")
struct JobTransitionsTests {
    static let events: [JobEvent] = [.claim, .requeue, .pause, .resume, .cancel, .complete, .fail, .retry]

    /// What SPEC §2 allows. The switch over the event has no `default`, so a new event fails to compile here
    /// until someone decides what it may do.
    static func expected(_ state: JobState, _ event: JobEvent) -> JobState? {
        switch event {
        case .claim: return state == .queued ? .running : nil
        case .requeue: return state == .running ? .queued : nil
        // running → paused (the worker stops at an object boundary); a queued job is held at once.
        case .pause: return state == .running || state == .queued ? .paused : nil
        case .resume: return state == .paused ? .queued : nil
        case .cancel: return [.queued, .running, .paused].contains(state) ? .cancelled : nil
        case .complete: return state == .running ? .completed : nil
        case .fail: return state == .running ? .failed : nil
        case .retry: return state == .failed || state == .cancelled ? .queued : nil
        }
    }

    @Test("every state × event matches SPEC §2", arguments: JobState.allCases, events)
    func table(state: JobState, event: JobEvent) {
        #expect(JobTransitions.target(from: state, on: event) == Self.expected(state, event))
        #expect(JobTransitions.allows(state, event) == (Self.expected(state, event) != nil))
    }

    @Test("the table above allows exactly the 12 transitions of SPEC §2")
    func allowedCount() {
        var allowed = 0
        for s in JobState.allCases { for e in Self.events where JobTransitions.allows(s, e) { allowed += 1 } }
        #expect(allowed == 12)
    }

    @Test("a completed job accepts no event at all")
    func completedIsFinal() {
        for e in Self.events { #expect(JobTransitions.target(from: .completed, on: e) == nil, "completed + \(e)") }
    }

    @Test("terminal states leave only through retry")
    func terminalOnlyRetry() {
        for s in JobState.allCases where s.isTerminal {
            for e in Self.events where e != .retry {
                #expect(!JobTransitions.allows(s, e), "\(s) + \(e)")
            }
        }
    }

    @Test("active states are queued, running and paused; the rest are terminal")
    func activeStates() {
        #expect(JobState.allCases.filter(\.isActive) == [.queued, .running, .paused])
        #expect(JobState.allCases.filter(\.isTerminal) == [.completed, .failed, .cancelled])
    }

    @Test("the seeds' docs status: active → generating, cancelled → failed")
    func docsStatus() {
        #expect(JobState.queued.docsStatus == "generating")
        #expect(JobState.running.docsStatus == "generating")
        #expect(JobState.paused.docsStatus == "generating")
        #expect(JobState.completed.docsStatus == "completed")
        #expect(JobState.failed.docsStatus == "failed")
        #expect(JobState.cancelled.docsStatus == "failed")
    }

    @Test("a refusal names the action and the job's state")
    func refusals() {
        #expect(JobTransitions.refusal(.pause, in: .completed).contains("completed"))
        #expect(JobTransitions.refusal(.pause, in: .completed).lowercased().contains("paused"))
        #expect(
            JobTransitions.refusal(.resume, in: .running) == "Only a paused job can be resumed (this job is running)")
        #expect(JobTransitions.refusal(.retry, in: .queued).contains("failed or cancelled"))
        #expect(JobTransitions.refusal(.cancel, in: .failed).contains("this job is failed"))
    }

    /// SPEC §2's release of an attempt that ended without a final state: a pending cancel wins, then a pending
    /// pause, then a retry while attempts remain; else the job fails.
    @Test func releasedAttemptsFollowSpecOrder() {
        for cancel in [false, true] {
            for pause in [false, true] {
                for (attempt, max) in [(1, 3), (3, 3)] {
                    let expected: JobState =
                        cancel ? .cancelled : pause ? .paused : attempt < max ? .queued : .failed
                    #expect(
                        JobTransitions.released(
                            cancelRequested: cancel, pauseRequested: pause, attempt: attempt, maxAttempts: max)
                            == expected, "cancel \(cancel), pause \(pause), attempt \(attempt) of \(max)")
                }
            }
        }
    }
}
