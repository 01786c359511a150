import Foundation
import ScribeCore

/// `scribe generate`: the same analysis and generator as a job, in the foreground, without a server or a
/// database. Progress goes to a callback (the CLI draws a bar).
public struct ForegroundGenerator {
    public struct Summary: Sendable {
        public let files: Int
        public let lines: Int
        public let symbols: Int
        public let modules: Int
        public let pages: Int
        public let seconds: Double
        /// Overall documentation coverage in percent (pkgsite's formula, weighted by public symbols).
        public let coverage: Double
        /// Mentions on the written pages that the analysis could not confirm (0 by construction).
        public var unverifiedMentions: Int { unverified.count }
        /// Each mention the analysis cannot confirm, with its page and reason.
        public let unverified: [String]
        /// Modules whose page could not be written, with why; the rest of the documentation is complete.
        public let failed: [(module: String, reason: String)]
        /// Seconds per stage (StageClock.stages), in pipeline order.
        public let stages: [(stage: String, seconds: Double)]
    }

    public var modules: [String]? = nil
    public var cloneTimeout: Double = 300
    /// Write the folder as the self-contained site that `docs.zip` gives (`scribe generate --site`).
    public var site = false

    public init() {}

    public func run(source: String, branch: String?, out: String, progress: (Int, String) -> Void) throws -> Summary {
        try withoutActuallyEscaping(progress) { progress in
            try run(source: source, branch: branch, out: out, report: TerminalReport(progress: progress))
        }
    }

    private func run(source: String, branch: String?, out: String, report: TerminalReport) throws -> Summary {
        let t0 = Date()
        try report.step(.initializing)
        var root = source
        var tempDir: String? = nil
        defer { if let tempDir { try? FileManager.default.removeItem(atPath: tempDir) } }
        var commit = "working tree"
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: source, isDirectory: &isDir), isDir.boolValue {
            root = (source as NSString).standardizingPath
            let git = Git(timeout: 30, home: NSTemporaryDirectory())
            if let head = git.headCommit(in: root), FileManager.default.fileExists(atPath: root + "/.git") { commit = head }
        } else {
            let tmp = NSTemporaryDirectory() + "scribe-generate-\(UUID().uuidString)"
            tempDir = tmp
            // The person running `scribe generate` chooses the URL on their own machine, so hosts on its
            // network are theirs to reach; redirects and other transports stay refused as in a job.
            let git = Git(timeout: cloneTimeout, home: tmp + "-home", allowPrivateNetworks: true)
            defer { try? FileManager.default.removeItem(atPath: tmp + "-home") }
            try FileManager.default.createDirectory(atPath: tmp + "-home", withIntermediateDirectories: true)
            try report.step(.resolveCommit)
            let resolved = try git.resolve(url: source, branch: branch, watch: nil)
            try report.step(.fetchContents)
            try git.clone(url: source, branch: branch, commit: resolved.commit, into: tmp, watch: nil)
            commit = resolved.commit
            root = tmp
        }
        try report.step(.analyze)
        let clock = StageClock()
        var analyzer = Analyzer()
        analyzer.clock = clock
        let analysis = try analyzer.analyze(root: root)
        if analysis.files.isEmpty { throw PipelineError.fatal(Messages.repositoryEmpty) }
        let chosen = try DocumentationSteps.modules(of: analysis, wanted: modules)
        let pagesStart = DispatchTime.now().uptimeNanoseconds
        var target = DocumentationSteps.Target(dir: out, repositoryURL: source, commit: commit, sourceRoot: root)
        target.clock = clock
        target.site = site
        let output = try DocumentationSteps.output(for: chosen, target)
        var counts = ObjectCounts(processed: 0, failed: 0, total: chosen.count)
        let failed = try DocumentationSteps.writeModules(chosen, analysis, output, counts: &counts, report: report)
        try report.step(.finalize)
        let name = (source as NSString).lastPathComponent.replacingOccurrences(of: ".git", with: "")
        let ctx = BuiltinGenerator.Context(repositoryName: name.isEmpty ? "repository" : name, repositoryURL: source, commit: commit, generatedAt: JobRunner.now())
        let pages = try DocumentationSteps.finalize(analysis, modules: chosen, output, ctx, report: report)
        // Pages: the module pages and what finalize writes besides its HTML and diagrams.
        let pageSeconds = Double(DispatchTime.now().uptimeNanoseconds - pagesStart) / 1e9
        clock.add("pages", pageSeconds - clock.report.filter { $0.stage == "html" || $0.stage == "diagrams" }.map(\.seconds).reduce(0, +))
        let unverified = output.verify(analysis, pages: pages.map(\.path), extra: [String(commit.prefix(12))])
        try report.step(.completed)
        return Summary(
            files: analysis.files.count, lines: analysis.totalLines, symbols: analysis.symbols.count, modules: chosen.count,
            pages: pages.count, seconds: Date().timeIntervalSince(t0), coverage: analysis.overallCoverage(chosen).percent,
            unverified: unverified.map(\.problem), failed: failed, stages: clock.report)
    }
}
