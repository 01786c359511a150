import Foundation
import ScribeCore
import Testing

@testable import ScribePipeline

/// The steps after the clone, run through the report protocol with no database: every module is reported as
/// started then finished, in order, with counts that add up, and the pages the report was told of exist.
@Suite struct DocumentationStepsTests {
    /// What the steps reported, in order.
    final class Recorder: PipelineReport {
        var lines: [String] = []
        var finished: [(String, ObjectStatus, ObjectCounts)] = []

        func step(_ milestone: Milestone) throws { lines.append("step \(milestone.rawValue)") }
        func note(_ text: String, warning: Bool) throws { lines.append("note \(text)") }
        func objectStarted(_ module: Analysis.Module, index: Int, counts: ObjectCounts) throws {
            lines.append("start \(module.path) \(index)/\(counts.total)")
        }
        func objectFinished(
            _ module: Analysis.Module, status: ObjectStatus, error: String?, durationMs: Int, counts: ObjectCounts,
            etaSeconds: Double?
        ) throws {
            lines.append("finish \(module.path)")
            finished.append((module.path, status, counts))
        }
    }

    static let tree = [
        "shapes/circle.py":
            "\"\"\"Circles.\"\"\"\n\n\ndef area(r):\n    \"\"\"The area of a circle.\"\"\"\n    return 3.14 * r * r\n",
        "shapes/__init__.py": "",
        "tools/cli.py":
            "\"\"\"The command line.\"\"\"\nfrom shapes.circle import area\n\n\ndef main():\n    print(area(2))\n",
        "tools/__init__.py": "",
    ]

    @Test func writesEveryModuleThroughTheReportAndFinalizes() throws {
        let fixture = try Fixture(Self.tree)
        let analysis = try fixture.analyze()
        let modules = try DocumentationSteps.modules(of: analysis, wanted: nil)
        #expect(modules.count >= 2)
        let out = NSTemporaryDirectory() + "scribe-steps-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let output = try DocumentationSteps.output(
            for: modules,
            .init(dir: out, repositoryURL: "https://example.org/shapes.git", commit: "abc", sourceRoot: fixture.root))
        let report = Recorder()
        var counts = ObjectCounts(processed: 0, failed: 0, total: modules.count)
        let failures = try DocumentationSteps.writeModules(modules, analysis, output, counts: &counts, report: report)
        #expect(failures.isEmpty)
        #expect(counts == ObjectCounts(processed: modules.count, failed: 0, total: modules.count))
        let expected = modules.enumerated().flatMap { i, m in
            ["start \(m.path) \(i + 1)/\(modules.count)", "finish \(m.path)"]
        }
        #expect(report.lines == expected)
        #expect(report.finished.map(\.2.processed) == Array(1...modules.count))
        for m in modules { #expect(FileManager.default.fileExists(atPath: output.modulePagePath(m)), "\(m.path)") }

        let ctx = BuiltinGenerator.Context(
            repositoryName: "shapes", repositoryURL: "https://example.org/shapes.git", commit: "abc", generatedAt: "now"
        )
        let pages = try DocumentationSteps.finalize(analysis, modules: modules, output, ctx, report: report)
        #expect(pages.first?.path == "index.md")
        for p in pages { #expect(FileManager.default.fileExists(atPath: "\(out)/\(p.path)"), "\(p.path)") }
    }

    @Test func unknownModulesFailWithTheKnownOnesNamed() throws {
        let fixture = try Fixture(Self.tree)
        let analysis = try fixture.analyze()
        #expect(throws: PipelineError.self) { try DocumentationSteps.modules(of: analysis, wanted: ["nowhere"]) }
        do {
            _ = try DocumentationSteps.modules(of: analysis, wanted: ["nowhere"])
        } catch PipelineError.fatal(let message) {
            #expect(message.hasPrefix("Unknown modules: nowhere (known: "))
        }
    }
}
