import Foundation
import Testing

@testable import ScribePipeline

/// What the `llm` generator is told about a module is what the built-in page shows: its source files and the
/// files the page cites, and its public surface (never a member of a non-public type).
@Suite struct LLMFactsTests {
    @Test func factsHoldThePagesFilesAndPublicSurface() throws {
        let source = """
            /// Greets.
            public func greet() {}

            struct Hidden {
                public func leak() {}
            }
            """
        let f = try ModuleFixture(
            ModuleFixtures.kit(source, ["Sources/Kit/.editorconfig": "root = true\n", "Sources/Kit/notes.txt": "scratch\n"]))
        defer { f.remove() }
        let a = try f.analyze()
        let module = try #require(a.module("Sources/Kit"))
        let facts = LLMGenerator().facts(module, a)
        #expect(facts.contains("Files: `Sources/Kit/Kit.swift`\n"), "\(facts)")
        #expect(facts.contains("- function `greet` in `Sources/Kit/Kit.swift`"))
        #expect(!facts.contains("leak") && !facts.contains("Hidden") && !facts.contains(".editorconfig"))
    }
}
