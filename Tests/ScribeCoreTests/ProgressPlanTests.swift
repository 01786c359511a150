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

    @Test("generating progress runs from 55 to 90, proportionally")
    func generating() {
        #expect(ProgressPlan.generating(done: 0, total: 10) == 55)
        #expect(ProgressPlan.generating(done: 5, total: 10) == 72)
        #expect(ProgressPlan.generating(done: 10, total: 10) == 90)
        #expect(ProgressPlan.generating(done: 1, total: 3) == 66)
        #expect(ProgressPlan.generating(done: 1, total: 1) == 90)
    }

    @Test("generating progress stays within 55…90 and never goes back as objects finish")
    func generatingBounds() {
        for total in [1, 2, 3, 7, 40, 999, 100_000] {
            var last = ProgressPlan.generating(done: 0, total: total)
            #expect(last == ProgressPlan.generatingStart)
            for done in stride(from: 0, through: total + 3, by: max(1, total / 97)) {
                let p = ProgressPlan.generating(done: done, total: total)
                #expect(p >= 55 && p <= 90)
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

    @Test("analysing progress moves from 50 up to below where generating starts, and never back")
    func analyzing() {
        #expect(ProgressPlan.analyzing(fraction: 0) == Milestone.analyze.rawValue)
        var last = ProgressPlan.analyzing(fraction: 0)
        for i in 0...1000 {
            let p = ProgressPlan.analyzing(fraction: Double(i) / 1000)
            #expect(p >= last && p < ProgressPlan.generatingStart)
            last = p
        }
        #expect(last == ProgressPlan.generatingStart - 1, "the whole band is used")
        #expect(ProgressPlan.analyzing(fraction: 7) == ProgressPlan.generatingStart - 1)
        #expect(ProgressPlan.analyzing(fraction: -1) == Milestone.analyze.rawValue)
        #expect(ProgressPlan.analyzing(fraction: .nan) == Milestone.analyze.rawValue)
        #expect(ProgressPlan.generating(done: 0, total: 5) > last, "generating starts above the analysis")
    }

    @Test("the analysing step says files read of files to read")
    func analyzingStep() {
        #expect(
            ProgressPlan.analyzingStep(filesFound: 0, filesRead: 0, filesToRead: 0, declarations: 0) == "Analyzing code structure")
        #expect(
            ProgressPlan.analyzingStep(filesFound: 12, filesRead: 0, filesToRead: 0, declarations: 0)
                == "Analyzing code structure: 12 files found")
        #expect(
            ProgressPlan.analyzingStep(filesFound: 400, filesRead: 120, filesToRead: 320, declarations: 4210)
                == "Analyzing code structure: 120 of 320 files read, 4210 declarations")
    }

    @Test("the generating step names the module and its position")
    func step() {
        #expect(
            ProgressPlan.generatingStep(module: "src/core", index: 2, total: 5)
                == "Generating documentation: src/core (2 of 5)")
    }
}
