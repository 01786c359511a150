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
        let t0 = Date()
        progress(Milestone.initializing.rawValue, Milestone.initializing.step)
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
            progress(Milestone.resolveCommit.rawValue, Milestone.resolveCommit.step)
            let resolved = try git.resolve(url: source, branch: branch, watch: nil)
            progress(Milestone.fetchContents.rawValue, Milestone.fetchContents.step)
            try git.clone(url: source, branch: branch, commit: resolved.commit, into: tmp, watch: nil)
            commit = resolved.commit
            root = tmp
        }
        progress(Milestone.analyze.rawValue, Milestone.analyze.step)
        let clock = StageClock()
        var analyzer = Analyzer()
        analyzer.clock = clock
        let analysis = try analyzer.analyze(root: root)
        if analysis.files.isEmpty { throw PipelineError.fatal(Messages.repositoryEmpty) }
        var chosen = analysis.modules
        if let modules {
            let (picked, unknown) = analysis.select(modules)
            if !unknown.isEmpty { throw PipelineError.fatal("Unknown modules: \(unknown.joined(separator: ", "))") }
            chosen = picked
        }
        var output = DocsOutput(dir: out)
        output.clock = clock
        let pagesStart = DispatchTime.now().uptimeNanoseconds
        output.generator.documentedModules = Set(chosen.map(\.path))
        output.generator.sourceLinks = Site.SourceLinks(repositoryURL: source, commit: commit)
        output.generator.directory = SymbolDirectory()
        output.sourceRoot = root
        if site { output.makeSite() }
        var failed: [(module: String, reason: String)] = []
        try FileManager.default.createDirectory(atPath: "\(out)/modules", withIntermediateDirectories: true)
        for (i, m) in chosen.enumerated() {
            progress(
                ProgressPlan.generating(done: i, total: chosen.count),
                ProgressPlan.generatingStep(module: m.name, index: i + 1, total: chosen.count))
            do {
                try output.writeModule(m, analysis)
            } catch {
                failed.append((m.path, "\(error)"))
            }
        }
        progress(Milestone.finalize.rawValue, Milestone.finalize.step)
        let name = (source as NSString).lastPathComponent.replacingOccurrences(of: ".git", with: "")
        let ctx = BuiltinGenerator.Context(repositoryName: name.isEmpty ? "repository" : name, repositoryURL: source, commit: commit, generatedAt: JobRunner.now())
        let pages = try output.finalize(analysis, modules: chosen, ctx: ctx) { _ in }
        // Pages: the module pages and what finalize writes besides its HTML and diagrams.
        let pageSeconds = Double(DispatchTime.now().uptimeNanoseconds - pagesStart) / 1e9
        clock.add("pages", pageSeconds - clock.report.filter { $0.stage == "html" || $0.stage == "diagrams" }.map(\.seconds).reduce(0, +))
        let unverified = output.verify(analysis, pages: pages.map(\.path), extra: [String(commit.prefix(12))])
        progress(Milestone.completed.rawValue, Milestone.completed.step)
        return Summary(
            files: analysis.files.count, lines: analysis.totalLines, symbols: analysis.symbols.count, modules: chosen.count,
            pages: pages.count, seconds: Date().timeIntervalSince(t0), coverage: analysis.overallCoverage(chosen).percent,
            unverified: unverified.map(\.problem), failed: failed, stages: clock.report)
    }
}
