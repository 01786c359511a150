import Foundation
import ScribeCore
import Testing

@testable import ScribePipeline

@Suite("Documentation coverage by pkgsite's formula")
struct CoverageTests {
    @Test("per module and overall, computed by hand for the Go fixture")
    func goFigures() throws {
        let f = try ModuleFixture(ModuleFixtures.goRoot)
        defer { f.remove() }
        let a = try f.analyze()
        // Root: package doc (10) + 90 × 3 documented of 4 exported (New, Get, Put; Drop is not) = 77.5.
        #expect(a.coverage(of: a.module(".")!) == Analysis.Coverage(packageDoc: true, exported: 4, documented: 3))
        #expect(a.coverage(of: a.module(".")!).percent == 77.5)
        // internal/util: no package doc, 1 of 2 documented = 45.
        #expect(a.coverage(of: a.module("internal/util")!).percent == 45)
        // Weighted by exported symbols: (77.5 × 4 + 45 × 2) / 6 = 66.67.
        let overall = a.overallCoverage(a.modules)
        #expect(abs(overall.percent - 400.0 / 6) < 1e-9 && overall.exported == 6 && overall.documented == 4)

        let (out, _) = try f.document(a)
        let index = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out.dir + "/index.json"))))
        #expect(index["coverage"]?["percent"] == .double(66.7))
        #expect(index["coverage"]?["public_symbols"] == .int(6))
        let coverage = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out.dir + "/coverage.json"))))
        #expect(coverage["documented_symbols"] == .int(4) && coverage["modules"] == .int(2))
        let overview = try String(contentsOfFile: out.dir + "/index.md", encoding: .utf8)
        #expect(overview.contains("66.7 % overall: 4 of 6 public symbols documented"))
        #expect(overview.contains("| [`internal/util`](modules/internal+util.md) | Go package | 1 | 6 | 2 | 45.0 % |"))
        let page = try String(contentsOfFile: out.dir + "/modules/root.md", encoding: .utf8)
        #expect(page.contains("77.5 %: package documentation present, 3 of 4 public symbols documented."))
    }
}
