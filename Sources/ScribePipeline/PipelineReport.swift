import Foundation
import ScribeCore
import ScribeStore

/// Where the documentation steps report what they do, so that one sequence serves both runs: a job reports
/// to its lease (every write fenced, each answer a chance to honour a cancel or a pause), `scribe generate`
/// to the terminal. `DocumentationSteps` holds the sequence.
public protocol PipelineReport {
    /// A milestone of SPEC §3 begins.
    func step(_ milestone: Milestone) throws
    /// A line for people (the job's events; the terminal shows none).
    func note(_ text: String, warning: Bool) throws
    /// A module's page is about to be written: the `index`-th of `counts.total`.
    func objectStarted(_ module: Analysis.Module, index: Int, counts: ObjectCounts) throws
    /// A module's outcome with the counts after it and the time left, if known: the checkpoint.
    func objectFinished(
        _ module: Analysis.Module, status: ObjectStatus, error: String?, durationMs: Int, counts: ObjectCounts,
        etaSeconds: Double?) throws
}

/// The steps after the clone, the same for a job and for `scribe generate`: pick the modules, prepare the
/// output, write one page per module (the built-in generator), finalize. What differs between the two runs
/// (where the tree comes from, where pages are stored, the `llm` generator's requests) stays with each run.
public enum DocumentationSteps {
    /// The modules asked for (data objects by name or by folder), or every module when `wanted` is nil.
    public static func modules(of analysis: Analysis, wanted: [String]?) throws -> [Analysis.Module] {
        guard let wanted else { return analysis.modules }
        let (picked, unknown) = analysis.select(wanted)
        if !unknown.isEmpty {
            throw PipelineError.fatal(
                "Unknown modules: \(unknown.joined(separator: ", ")) (known: \(analysis.modules.map(\.path).joined(separator: ", ")))"
            )
        }
        return picked
    }

    /// Where the pages of a run go, and what they link to.
    public struct Target {
        public var dir: String
        public var repositoryURL: String
        public var commit: String
        /// The tree the source views are made from.
        public var sourceRoot: String
        public var clock: StageClock? = nil
        /// The self-contained site that `docs.zip` gives (`scribe generate --site`): source views instead of host
        /// links, opens from file://.
        public var site = false

        public init(dir: String, repositoryURL: String, commit: String, sourceRoot: String) {
            self.dir = dir
            self.repositoryURL = repositoryURL
            self.commit = commit
            self.sourceRoot = sourceRoot
        }
    }

    /// The output folder, ready for module pages.
    public static func output(for modules: [Analysis.Module], _ target: Target) throws -> DocsOutput {
        var out = DocsOutput(dir: target.dir)
        if let clock = target.clock { out.clock = clock }
        out.generator.documentedModules = Set(modules.map(\.path))
        out.generator.sourceLinks = Site.SourceLinks(repositoryURL: target.repositoryURL, commit: target.commit)
        out.generator.directory = SymbolDirectory()
        out.sourceRoot = target.sourceRoot
        if target.site { out.makeSite() }
        try FileManager.default.createDirectory(atPath: "\(out.dir)/modules", withIntermediateDirectories: true)
        return out
    }

    /// One page per module by the built-in generator, each reported as an object; a module whose page cannot
    /// be written is counted as failed and the run goes on. Returns the failures, in order.
    @discardableResult
    public static func writeModules(
        _ work: [Analysis.Module], _ analysis: Analysis, _ out: DocsOutput, counts: inout ObjectCounts,
        report: PipelineReport
    ) throws -> [(module: String, reason: String)] {
        let started = Date()
        var failures: [(module: String, reason: String)] = []
        for (doneHere, m) in work.enumerated() {
            try report.objectStarted(m, index: counts.finished + 1, counts: counts)
            let t0 = Date()
            var status = ObjectStatus.done
            var note: String? = nil
            do {
                try out.writeModule(m, analysis)
                counts.processed += 1
            } catch {
                status = .failed
                note = "\(error)"
                counts.failed += 1
                failures.append((m.path, "\(error)"))
            }
            let remaining = work.count - (doneHere + 1)
            let eta = remaining > 0 ? Date().timeIntervalSince(started) / Double(doneHere + 1) * Double(remaining) : nil
            try report.objectFinished(
                m, status: status, error: note, durationMs: Int(Date().timeIntervalSince(t0) * 1000), counts: counts,
                etaSeconds: eta)
        }
        return failures
    }

    /// Overview, index, HTML and diagrams (SPEC §3's 90 %, reported by the caller, which may run this step
    /// stoppable); the notes of the writing go to the report.
    public static func finalize(
        _ analysis: Analysis, modules: [Analysis.Module], _ out: DocsOutput, _ ctx: BuiltinGenerator.Context,
        report: PipelineReport
    ) throws -> [LeaseStore.PageRecord] {
        try out.finalize(analysis, modules: modules, ctx: ctx) { note in try? report.note(note, warning: true) }
    }
}

/// A job's report: the lease store's fenced writes, each answer checked for a cancel or a pause.
struct JobReport: PipelineReport {
    let runner: JobRunner

    func step(_ milestone: Milestone) throws { try runner.step(milestone) }

    func note(_ text: String, warning: Bool) throws {
        if warning {
            try runner.lease.event(kind: "info", level: "warning", text)
        } else {
            try runner.lease.event(text)
        }
    }

    /// A pause is honoured before a module starts; the throttle (tests, demos) runs once it is shown.
    func objectStarted(_ module: Analysis.Module, index: Int, counts: ObjectCounts) throws {
        try runner.check(allowPause: true)
        try runner.check(
            try runner.lease.objectStarted(
                module.path, progress: ProgressPlan.generating(done: counts.finished, total: counts.total),
                step: ProgressPlan.generatingStep(module: module.name, index: index, total: counts.total)))
        try runner.throttle()
    }

    func objectFinished(
        _ module: Analysis.Module, status: ObjectStatus, error: String?, durationMs: Int, counts: ObjectCounts,
        etaSeconds: Double?
    ) throws {
        try runner.check(
            try runner.lease.objectFinished(
                module.path, status: status, error: error, durationMs: durationMs, counts: counts,
                progress: ProgressPlan.generating(done: counts.finished, total: counts.total), etaSeconds: etaSeconds))
    }
}

/// `scribe generate`'s report: the milestones and each module's start, as a percentage and a line.
struct TerminalReport: PipelineReport {
    let progress: (Int, String) -> Void

    func step(_ milestone: Milestone) throws { progress(milestone.rawValue, milestone.step) }
    func note(_ text: String, warning: Bool) throws {}

    func objectStarted(_ module: Analysis.Module, index: Int, counts: ObjectCounts) throws {
        progress(
            ProgressPlan.generating(done: counts.finished, total: counts.total),
            ProgressPlan.generatingStep(module: module.name, index: index, total: counts.total))
    }

    func objectFinished(
        _ module: Analysis.Module, status: ObjectStatus, error: String?, durationMs: Int, counts: ObjectCounts,
        etaSeconds: Double?
    ) throws {}
}
