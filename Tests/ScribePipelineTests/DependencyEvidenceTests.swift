import Foundation
import Testing

@testable import ScribePipeline

/// Every import between two modules is evidence of their edge, so the page's "(and N more)" counts them all
/// (swift-numerics' ComplexModule imports RealModule in seven files).
@Suite struct DependencyEvidenceTests {
    @Test func everyImportCountsAndThePageSaysHowManyMore() throws {
        var files = [
            "Package.swift": """
                // swift-tools-version:5.9
                import PackageDescription
                let package = Package(name: "Num", targets: [
                    .target(name: "Real"), .target(name: "Complex", dependencies: ["Real"]),
                ])
                """,
            "Sources/Real/Real.swift": "/// A real.\npublic struct Real {}\n",
        ]
        for i in 1...7 { files["Sources/Complex/Part\(i).swift"] = "import Real\n\n/// Part \(i).\npublic func part\(i)() {}\n" }
        let f = try ModuleFixture(files)
        defer { f.remove() }
        let a = try f.analyze()
        let edge = try #require(a.dependencies.first { $0.from == "Sources/Complex" && $0.to == "Sources/Real" })
        #expect(edge.evidence.map { "\($0.path):\($0.line)" } == (1...7).map { "Sources/Complex/Part\($0).swift:1" })
        let (out, _) = try f.document(a)
        let page = try String(contentsOfFile: out.modulePagePath(try #require(a.module("Sources/Complex"))), encoding: .utf8)
        #expect(page.contains("`Real` at `Sources/Complex/Part1.swift:1` (and 6 more)"), "\(page)")
    }
}
