import Foundation
import Testing

@testable import ScribePipeline

@Suite("Every built-in page verified before publishing")
struct PageVerifierTests {
    @Test("the built-in generator's pages name nothing the analysis does not hold, on every fixture", arguments: ModuleFixtures.all.map(\.0))
    func builtinIsZero(_ name: String) throws {
        let f = try ModuleFixture(ModuleFixtures.all.first { $0.0 == name }!.1)
        defer { f.remove() }
        let a = try f.analyze()
        let (out, pages) = try f.document(a)
        #expect(pages.filter { $0.hasPrefix("modules/") && $0.hasSuffix(".md") }.count == a.modules.count)
        #expect(out.verify(a, pages: pages, extra: ["0123456789ab"]).map(\.problem) == [])
    }

    @Test("structured doc comments (parameters with code in them) and imports over several lines are not counted")
    func docPartsAndLongImports() throws {
        let f = try ModuleFixture([
            "Cargo.toml": "[package]\nname = \"demo\"\n",
            "src/lib.rs": "pub mod flags;\npub mod search;\n",
            "src/flags/mod.rs": "pub struct Alpha;\npub struct Beta;\n",
            "src/search/mod.rs": "use crate::{\n    flags::{Alpha, Beta},\n};\n\npub struct Gamma;\n",
            "pkg/__init__.py": "",
            "pkg/calc.py": "def add(left, right):\n    \"\"\"Adds two numbers.\n\n    Args:\n        left: the first, like `x + 1`.\n        right: the second.\n\n    Returns:\n        The sum, a `Number`.\n    \"\"\"\n    return left + right\n",
        ])
        defer { f.remove() }
        let a = try f.analyze()
        let (out, pages) = try f.document(a)
        #expect(out.verify(a, pages: pages, extra: ["0123456789ab"]).map(\.problem) == [])
    }

    @Test("an invented symbol, a wrong line, an unknown file and a broken link are each counted")
    func inventionsCounted() throws {
        let f = try ModuleFixture(ModuleFixtures.goRoot)
        defer { f.remove() }
        let a = try f.analyze()
        let (out, pages) = try f.document(a)
        let page = out.dir + "/modules/root.md"
        var text = try String(contentsOfFile: page, encoding: .utf8)
        #expect(text.contains("`lib.go:10`"))
        text += "\n### `Ghost`\n\nfunc · `lib.go:11`\n\nSee `nosuch.go` and [the rest](missing.md).\n"
        try text.write(toFile: page, atomically: true, encoding: .utf8)
        let problems = out.verify(a, pages: pages, extra: ["0123456789ab"]).map(\.problem)
        #expect(problems.count == 5, "\(problems)")  // the heading counts as a heading and as a name
        #expect(problems.contains("modules/root.md: `lib.go:11` is not in the analysis"))
        #expect(problems.contains("modules/root.md: link to missing.md, which was not written"))
    }

    @Test("a page that names a non-public declaration, its header or line, or a base declared only non-public is rejected")
    func nonPublicRejected() throws {
        let f = try ModuleFixture([
            "go.mod": "module example.com/lib\n",
            "lib.go": """
                package lib

                // Server serves.
                type Server struct{}

                // Start starts it.
                func (s *Server) Start() {}

                func helper() int { return 1 }

                """,
            "Package.swift": ModuleFixtures.kitManifest,
            "Sources/Kit/Kit.swift": """
                protocol Engine {}

                /// A car.
                public struct Car: Engine, Sendable {}

                struct Motor {
                    /// Public, but its type is not.
                    public func spin() {}
                }

                """,
        ])
        defer { f.remove() }
        let a = try f.analyze()
        let (out, pages) = try f.document(a)
        #expect(out.verify(a, pages: pages, extra: ["0123456789ab"]).map(\.problem) == [])
        // The hierarchy names the language's `Sendable`, never the internal `Engine`; the page check agrees.
        let kit = try String(contentsOfFile: out.dir + "/modules/Sources+Kit.md", encoding: .utf8)
        #expect(kit.contains("inherits from or conforms to `Sendable`") && !kit.contains("`Engine`"))

        let helper = try #require(a.symbols.first { $0.name == "helper" })
        let spin = try #require(a.symbols.first { $0.name == "spin" })
        #expect(!helper.isPublic && spin.isPublic && spin.qualifiedName == "Motor.spin")
        let header = BuiltinGenerator.header(helper)
        let page = out.dir + "/modules/root.md"
        var text = try String(contentsOfFile: page, encoding: .utf8)
        text += "\n### `helper`\n\n`\(header)` · `lib.go:\(helper.line)`\n\nSee `\(spin.qualifiedName)`, `Engine` and `Sendable`.\n"
        try text.write(toFile: page, atomically: true, encoding: .utf8)
        let problems = out.verify(a, pages: pages, extra: ["0123456789ab"]).map(\.problem)
        #expect(
            problems.sorted()
                == [
                    "modules/root.md: heading names `helper`, which is not a declaration",
                    "modules/root.md: `helper` is not in the analysis",
                    "modules/root.md: `\(header)` is not in the analysis",
                    "modules/root.md: `lib.go:\(helper.line)` is not in the analysis",
                    "modules/root.md: `Motor.spin` is not in the analysis",
                    "modules/root.md: `Engine` is not in the analysis",
                ].sorted())
    }

    @Test("an extension's public members are API unless its type is internal; the hierarchy names no internal type")
    func extensionMembers() throws {
        let f = try ModuleFixture([
            "Package.swift": ModuleFixtures.kitManifest,
            "Sources/Kit/Kit.swift": """
                public protocol Named {}

                extension String {
                    /// Shouts.
                    public func shout() -> String { uppercased() }
                }

                extension Int: Named {}

                struct Motor {}

                extension Motor {
                    public func stop() {}
                }

                extension Motor: Named {}

                """,
        ])
        defer { f.remove() }
        let a = try f.analyze()
        #expect(a.publicSymbols(in: "Sources/Kit").map(\.qualifiedName).sorted() == ["Named", "String.shout"])
        let (out, pages) = try f.document(a)
        #expect(out.verify(a, pages: pages, extra: ["0123456789ab"]).map(\.problem) == [])
        let page = try String(contentsOfFile: out.dir + "/modules/Sources+Kit.md", encoding: .utf8)
        #expect(page.contains("### `String.shout`"))
        #expect(page.contains("- `Int` (extension, ") && !page.contains("`Motor`"))
    }
}

@Suite("Pages over the size limit")
struct ModulePagesTests {
    @Test("a module page over the limit splits its reference into parts, by file, none over the limit")
    func split() throws {
        var files: [String: String] = ["go.mod": "module example.com/big\n"]
        for file in ["alpha", "beta", "gamma"] {
            files["\(file).go"] = "package big\n\n" + (1...12).map { "// F\(file)\($0) does thing \($0) of \(file).\nfunc F\(file)\($0)(a, b int) int { return a + b }\n" }.joined(separator: "\n")
        }
        let f = try ModuleFixture(files)
        defer { f.remove() }
        let a = try f.analyze()
        let limit = 2500
        let (out, pages) = try f.document(a, maxPageBytes: limit)
        let parts = pages.filter { $0.hasPrefix("modules/root/part-") && $0.hasSuffix(".md") }
        #expect(parts.count >= 3)
        var headings: [String] = []
        for p in ["modules/root.md"] + parts {
            let text = try String(contentsOfFile: "\(out.dir)/\(p)", encoding: .utf8)
            #expect(text.utf8.count <= limit, "\(p) has \(text.utf8.count) bytes")
            headings += text.split(separator: "\n").filter { $0.hasPrefix("### ") }.map(String.init)
        }
        #expect(headings.sorted() == a.publicSymbols(in: ".").map { "### `\($0.qualifiedName)`" }.sorted())
        let main = try String(contentsOfFile: "\(out.dir)/modules/root.md", encoding: .utf8)
        #expect(main.contains("- [Part 1](root/part-1.md): 12 declarations in `alpha.go`"))
        #expect(out.verify(a, pages: pages, extra: ["0123456789ab"]).map(\.problem) == [])
    }
}
