import Foundation
import Testing

@testable import ScribePipeline

/// The truth check over this repository itself: Swift, Python, JavaScript, shell and C as they really are.
@Suite struct RepositoryTruthTests {
    @Test func everySymbolAndDocOfThisRepositoryIsWhereItSaysItIs() throws {
        // Tests/ScribePipelineTests/RepositoryTruthTests.swift → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let a = try Analyzer().analyze(root: root)
        let languages = Set(a.symbols.compactMap(\.language))
        #expect(languages.isSuperset(of: ["Swift", "Python", "JavaScript"]))
        #expect(a.symbols.count > 500)
        #expect(!a.symbols.contains { Indexer.isPlaceholder($0.name) })
        #expect(a.symbols.filter { $0.doc != nil }.count > 300)
        try checkTruth(a, root: root)
    }

    /// The check itself catches the defects it is there for: a doc taken from the class below, a wrong line.
    @Test func theTruthCheckCatchesAMisplacedDocAndAWrongLine() throws {
        let f = try Fixture(PythonParseTests.files)
        let a = try f.analyze()
        var wrongDoc = a
        let i = try #require(wrongDoc.symbols.firstIndex { $0.name == "DEFAULT" })
        wrongDoc.symbols[i].doc = "A circle."
        withKnownIssue { try checkTruth(wrongDoc, root: f.root) }
        var wrongLine = a
        let j = try #require(wrongLine.symbols.firstIndex { $0.name == "LIMIT" })
        let s = wrongLine.symbols[j]
        wrongLine.symbols[j] = Symbol(
            name: s.name, kind: s.kind, path: s.path, line: s.line + 1, end: s.end, signature: s.signature, scope: s.scope,
            scopeKind: s.scopeKind, access: s.access, typeref: s.typeref, fileScoped: s.fileScoped, language: s.language,
            doc: nil)
        withKnownIssue { try checkTruth(wrongLine, root: f.root) }
    }
}
