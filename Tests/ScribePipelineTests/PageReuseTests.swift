import Foundation
import ScribeCore
import ScribeStore
import Testing

@testable import ScribePipeline

/// A job keeps the current page of a module that did not change, read through its `PipelineSource`: here the
/// source is an earlier run's output folder, so the job's steps run with no database.
@Suite struct PageReuseTests {
    /// The current documentation as a folder of pages; the job's own row and checkpoint are empty.
    struct FolderSource: PipelineSource {
        let pages: String
        var asked = Locked([String]())

        func job() throws -> Job? { nil }
        func objects() throws -> [LeaseStore.ObjectRow] { [] }
        func costSoFar() throws -> Double { 0 }
        func repository(id: String) throws -> RepositoryStore.Repository? { nil }
        func previousObjects(repositoryID: String) throws -> [String: JobStore.PreviousObject] { [:] }
        func cached(organisationID: String, cacheKey: String) throws -> (jobID: String, docsPath: String)? { nil }
        func llmSettings(organisationID: String) throws -> AccountStore.LLMSettings? { nil }
        func sealedGitHubToken(userID: String) throws -> [UInt8]? { nil }

        func currentPage(repositoryID: String, path: String) throws -> [UInt8]? {
            asked.withLock { $0.append("\(repositoryID) \(path)") }
            return FileManager.default.contents(atPath: "\(pages)/\(path)").map { Array($0) }
        }
    }

    /// A module with enough documented functions that its reference is split into parts at a small page size.
    static let tree: [String: String] = {
        var shapes = "\"\"\"Shapes and their measures.\"\"\"\n"
        for i in 1...40 {
            shapes += "\n\ndef measure_\(i)(x):\n    \"\"\"Measure number \(i) of a shape, \(String(repeating: "in detail ", count: 8)).\"\"\"\n    return x * \(i)\n"
        }
        return [
            "shapes/__init__.py": "", "shapes/measures.py": shapes,
            "tools/__init__.py": "", "tools/cli.py": "\"\"\"The command line.\"\"\"\n\n\ndef main():\n    print(1)\n",
        ]
    }()

    func output(_ modules: [Analysis.Module], _ dir: String, root: String) throws -> DocsOutput {
        var out = try DocumentationSteps.output(
            for: modules, .init(dir: dir, repositoryURL: "https://example.org/shapes.git", commit: "abc", sourceRoot: root))
        out.generator.maxPageBytes = 4096
        return out
    }

    @Test func copiesTheCurrentPageAndItsPartsAndNothingElse() throws {
        let fixture = try Fixture(Self.tree)
        let analysis = try fixture.analyze()
        let modules = try DocumentationSteps.modules(of: analysis, wanted: nil)
        let base = NSTemporaryDirectory() + "scribe-reuse-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let earlier = try output(modules, "\(base)/earlier", root: fixture.root)
        var counts = ObjectCounts(processed: 0, failed: 0, total: modules.count)
        try DocumentationSteps.writeModules(modules, analysis, earlier, counts: &counts, report: TerminalReport { _, _ in })
        let shapes = try #require(modules.first { $0.path == "shapes" })
        let tools = try #require(modules.first { $0.path == "tools" })
        let parts = try FileManager.default.contentsOfDirectory(atPath: earlier.partsDir(shapes)).sorted()
        #expect(parts.count >= 2, "the reference is split: \(parts)")
        try FileManager.default.removeItem(atPath: earlier.modulePagePath(tools))

        let now = try output(modules, "\(base)/now", root: fixture.root)
        // A part left from an earlier attempt that the current documentation does not have goes.
        try FileManager.default.createDirectory(atPath: now.partsDir(shapes), withIntermediateDirectories: true)
        try Data("stale".utf8).write(to: URL(fileURLWithPath: "\(now.partsDir(shapes))/part-99.md"))
        let source = FolderSource(pages: "\(base)/earlier")
        let reuse = PageReuse(source: source, repositoryID: "repo-1", out: now)

        #expect(try reuse.copy(shapes))
        #expect(FileManager.default.contents(atPath: now.modulePagePath(shapes)) == FileManager.default.contents(atPath: earlier.modulePagePath(shapes)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: now.partsDir(shapes)).sorted() == parts)
        for p in parts {
            #expect(FileManager.default.contents(atPath: "\(now.partsDir(shapes))/\(p)") == FileManager.default.contents(atPath: "\(earlier.partsDir(shapes))/\(p)"))
        }
        // Parts are asked for in order until the first one missing, all for this repository.
        #expect(source.asked.current == ["repo-1 \(shapes.pagePath)"] + (1...parts.count + 1).map { "repo-1 modules/\(shapes.pageName)/part-\($0).md" })

        #expect(try !reuse.copy(tools))
        #expect(!FileManager.default.fileExists(atPath: now.modulePagePath(tools)))
    }

    @Test func keepsAPageOnlyWhenItsModuleDidNotChangeOrSkipExistingAsks() {
        let prev = JobStore.PreviousObject(fingerprint: "f1", docsPath: "r/j")
        #expect(PageReuse.mayKeep(prev, fingerprint: "f1", skipExisting: false))
        #expect(!PageReuse.mayKeep(prev, fingerprint: "f2", skipExisting: false))
        #expect(PageReuse.mayKeep(prev, fingerprint: "f2", skipExisting: true))
        #expect(!PageReuse.mayKeep(JobStore.PreviousObject(fingerprint: nil, docsPath: "r/j"), fingerprint: nil, skipExisting: false))
        #expect(!PageReuse.mayKeep(nil, fingerprint: "f1", skipExisting: true))
    }
}
