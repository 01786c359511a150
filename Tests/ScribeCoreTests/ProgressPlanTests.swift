import Testing

@testable import ScribeCore

@Suite("Progress plan and milestones")
struct ProgressPlanTests {
    @Test("milestones carry SPEC §3's percentages and step texts")
    func milestones() {
        #expect(Milestone.allCases.map(\.rawValue) == [0, 5, 10, 20, 25, 30, 40, 50, 90, 95, 100])
        #expect(Milestone.queued.step == "Queued")
        #expect(Milestone.initializing.step == "Initializing")
        #expect(Milestone.metadata.step == "Fetching repository metadata")
        #expect(Milestone.githubAuth.step == "Fetching GitHub authentication")
        #expect(Milestone.validateToken.step == "Validating GitHub token")
        #expect(Milestone.fetchContents.step == "Fetching repository contents")
        #expect(Milestone.analyze.step == "Analyzing code structure")
        #expect(Milestone.finalize.step == "Finalizing output")
        #expect(Milestone.save.step == "Saving documentation")
        #expect(Milestone.completed.step == "Completed")
    }

    /// The seeds' numbering (SPEC §2's example: "Step 3: Validating GitHub token…"): Initializing is
    /// unnumbered and the steps after it count from 1.
    @Test("log lines are numbered as the seeds numbered them and end with an ellipsis, except Completed")
    func logLines() {
        #expect(Milestone.initializing.logLine == "Initializing…")
        #expect(Milestone.metadata.logLine == "Step 1: Fetching repository metadata…")
        #expect(Milestone.githubAuth.logLine == "Step 2: Fetching GitHub authentication…")
        #expect(Milestone.validateToken.logLine == "Step 3: Validating GitHub token…")
        #expect(Milestone.save.logLine == "Step 8: Saving documentation…")
        #expect(Milestone.completed.logLine == "Step 9: Completed")
        for (i, m) in Milestone.allCases.enumerated() where i >= 2 {
            #expect(m.logLine.hasPrefix("Step \(i - 1): \(m.step)"))
        }
    }

    @Test("generating progress runs from 50 to 90, proportionally")
    func generating() {
        #expect(ProgressPlan.generating(done: 0, total: 10) == 50)
        #expect(ProgressPlan.generating(done: 5, total: 10) == 70)
        #expect(ProgressPlan.generating(done: 10, total: 10) == 90)
        #expect(ProgressPlan.generating(done: 1, total: 3) == 63)
        #expect(ProgressPlan.generating(done: 1, total: 1) == 90)
    }

    @Test("generating progress stays within 50…90 and never goes back as objects finish")
    func generatingBounds() {
        for total in [1, 2, 3, 7, 40, 999, 100_000] {
            var last = ProgressPlan.generating(done: 0, total: total)
            #expect(last == Milestone.analyze.rawValue)
            for done in stride(from: 0, through: total + 3, by: max(1, total / 97)) {
                let p = ProgressPlan.generating(done: done, total: total)
                #expect(p >= 50 && p <= 90)
                #expect(p >= last)
                last = p
            }
            #expect(ProgressPlan.generating(done: total, total: total) == 90)
        }
    }

    @Test("more done than total, or nothing to do, is the end of generating (90), never more")
    func generatingEdges() {
        #expect(ProgressPlan.generating(done: 12, total: 10) == 90)
        #expect(ProgressPlan.generating(done: 0, total: 0) == 90)
        #expect(ProgressPlan.generating(done: 3, total: 0) == 90)
        #expect(ProgressPlan.generating(done: Int.max / 2, total: 7) == 90)
    }

    @Test("the generating step names the module and its position")
    func step() {
        #expect(
            ProgressPlan.generatingStep(module: "src/core", index: 2, total: 5)
                == "Generating documentation: src/core (2 of 5)")
    }
}
