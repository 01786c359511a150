import Foundation
import Testing

@testable import ScribePipeline

@Suite("Modules by each language's rules")
struct ModuleRulesTests {
    @Test("a Go module's root package is a module with its exported symbols; tests, examples, docs and CI are not")
    func goRootPackage() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.goRoot)
        #expect(a.modulePaths == [".", "internal/util"])
        let root = try #require(a.module("."))
        #expect(root.kind == "Go package" && root.qualifiedName == "example.com/lib")
        #expect(a.module("internal/util")?.qualifiedName == "example.com/lib/internal/util")
        #expect(Set(a.publicSymbols(in: ".").map(\.name)) == ["New", "Get", "Put", "Drop"])
        #expect(a.files.first { $0.path == "lib_test.go" }?.role == .test)
        #expect(a.files.first { $0.path == "examples/basic/main.go" }?.role == .example)
        #expect(a.files.first { $0.path == ".github/workflows/ci.yml" }?.role == .ci)
        #expect(a.files.first { $0.path == "docs/guide.md" }?.role == .docs)
    }

    @Test("a Swift package's integration tests and DocC snippets are not modules")
    func swiftIntegrationTestsAndSnippets() throws {
        let a = try ModuleFixture.analysis(of: [
            "Package.swift": ModuleFixtures.kitManifest,
            "Sources/Kit/Kit.swift": "/// Greets.\npublic func greet() {}\n",
            "IntegrationTests/framework/template/Sources/Counter/Counter.swift": "public func count() {}\n",
            "Snippets/Hello.swift": "import Kit\ngreet()\n",
        ])
        #expect(a.modulePaths == ["Sources/Kit"])
        #expect(a.files.first { $0.path.hasPrefix("IntegrationTests/") }?.role == .test)
        #expect(a.files.first { $0.path == "Snippets/Hello.swift" }?.role == .example)
    }

    @Test("a C library with its sources at the root keeps them; include/ holds public headers")
    func cRoot() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.cRoot)
        #expect(a.modulePaths == [".", "compat", "include/mylib"])
        #expect(Set(a.module(".")!.files.map(\.path)) == ["ae.c", "ae.h", "zmalloc.c"])
        #expect(a.module("include/mylib")?.kind == "public headers")
        // Root sources keep their symbols; a .c definition is API when a header declares it (ae_main in ae.h),
        // and zmalloc, declared in no header, is the library's own.
        #expect(a.publicSymbols(in: ".").contains { $0.name == "ae_main" })
        #expect(a.symbols.contains { $0.name == "zmalloc" && $0.path == "zmalloc.c" && !$0.isPublic })
    }

    @Test("Python sub-packages are modules of their own; setup.py makes no root module")
    func pythonSubPackages() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.python)
        #expect(a.modulePaths == ["pkg", "pkg/sub"])
        #expect(a.module("pkg")?.kind == "Python package" && a.module("pkg")?.qualifiedName == "pkg")
        #expect(a.module("pkg/sub")?.qualifiedName == "pkg.sub")
        #expect(a.layout.pythonRoots == [""])
    }

    @Test("Python's src/ layout: packages under src/ are named without it")
    func pythonSrcLayout() throws {
        let a = try ModuleFixture.analysis(of: [
            "src/mylib/__init__.py": "", "src/mylib/a.py": "import mylib.b\n", "src/mylib/b.py": "B = 1\n",
            "src/mylib/io/__init__.py": "from mylib import a\n",
        ])
        #expect(a.modulePaths == ["src/mylib", "src/mylib/io"])
        #expect(a.module("src/mylib/io")?.qualifiedName == "mylib.io")
        #expect(a.edgeLines == ["src/mylib/io -> src/mylib @ src/mylib/io/__init__.py:1"])
    }

    @Test("npm workspaces: package.json names the module of its folder or of its entry point")
    func workspaces() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.workspaces)
        #expect(a.modulePaths == ["packages/app", "packages/ui/src"])
        let app = try #require(a.module("packages/app"))
        #expect(app.kind == "npm package" && app.qualifiedName == "app")
        #expect(app.entryPoints == ["packages/app/cli.js"])  // dist/app.js is a build output, not in the tree
        #expect(a.module("packages/ui/src")?.qualifiedName == "@acme/ui")
        #expect(a.files.first { $0.path == "packages/app/cli.test.js" }?.role == .test)
    }

    @Test("a Cargo workspace: each member crate, and a folder of its mod tree, is a module")
    func rustWorkspace() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.rust)
        #expect(a.modulePaths == ["crates/cli", "crates/core", "crates/core/src/net"])
        #expect(a.module("crates/core")?.kind == "Rust crate" && a.module("crates/core")?.qualifiedName == "acme_core")
        #expect(a.module("crates/core/src/net")?.qualifiedName == "acme_core::net")
        #expect(a.files.first { $0.path == "crates/core/tests/it.rs" }?.module == "")
    }

    @Test("a crate whose [[bin]] path is outside src/; dotfiles and fuzz targets are not modules")
    func rustBinPath() throws {
        let a = try ModuleFixture.analysis(of: [
            "Cargo.toml": "[package]\nname = \"tool\"\n\n[[bin]]\nname = \"tl\"\npath = \"crates/core/main.rs\"\n",
            "build.rs": "fn main() {}\n",
            ".nvim.lua": "vim.opt.tabstop = 4\n",
            "crates/core/main.rs": "mod flags;\nfn main() {}\n",
            "crates/core/flags/mod.rs": "use crate::flags;\npub fn parse() {}\n",
            "fuzz/fuzz_targets/glob.rs": "fn main() {}\n",
        ])
        #expect(a.modulePaths == ["crates/core", "crates/core/flags"])
        #expect(a.module("crates/core")?.kind == "Rust crate" && a.module("crates/core")?.qualifiedName == "tool")
        #expect(a.module("crates/core/flags")?.qualifiedName == "tool::flags")
        #expect(a.edgeLines == ["crates/core -> crates/core/flags @ crates/core/main.rs:1"])
    }

    @Test("SwiftPM targets come from Package.swift: a declared path and the Sources/<Target> convention")
    func swiftPackage() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.swiftPM)
        #expect(a.modulePaths == ["Lib/Kit", "Sources/Tool"])
        #expect(a.module("Lib/Kit")?.kind == "SwiftPM target" && a.module("Lib/Kit")?.qualifiedName == "Kit")
        #expect(a.layout.swiftTargets == ["Kit": "Lib/Kit", "Tool": "Sources/Tool"])
    }

    @Test("Java packages are folders under the source root, named by their package")
    func javaPackages() throws {
        let a = try ModuleFixture.analysis(of: [
            "app/src/main/java/com/acme/util/Strings.java": "package com.acme.util;\npublic class Strings {}\n",
            "app/src/main/java/com/acme/App.java": "package com.acme;\nimport com.acme.util.Strings;\nimport java.util.List;\npublic class App {}\n",
            "app/src/test/java/com/acme/AppTest.java": "package com.acme;\npublic class AppTest {}\n",
            // `example` in a package path is a package, not an examples folder.
            "model/com/example/model/Item.java": "package com.example.model;\npublic class Item {}\n",
        ])
        #expect(a.modulePaths == ["app/src/main/java/com/acme", "app/src/main/java/com/acme/util", "model/com/example/model"])
        #expect(a.module("model/com/example/model")?.qualifiedName == "com.example.model")
        #expect(a.module("app/src/main/java/com/acme/util")?.qualifiedName == "com.acme.util")
        #expect(a.edgeLines == ["app/src/main/java/com/acme -> app/src/main/java/com/acme/util @ app/src/main/java/com/acme/App.java:2"])
    }

    @Test("C# namespaces start with the project folder's name")
    func csharpNamespaces() throws {
        let a = try ModuleFixture.analysis(of: [
            "src/Acme.Core/Acme.Core.csproj": "<Project Sdk=\"Microsoft.NET.Sdk\" />\n",
            "src/Acme.Core/Text/Words.cs": "namespace Acme.Core.Text;\npublic class Words {}\n",
            "src/Acme.Core/Api.cs": "using Acme.Core.Text;\nusing System.Linq;\nnamespace Acme.Core;\npublic class Api {}\n",
        ])
        #expect(a.modulePaths == ["src/Acme.Core", "src/Acme.Core/Text"])
        #expect(a.module("src/Acme.Core/Text")?.qualifiedName == "Acme.Core.Text")
        #expect(a.module("src/Acme.Core")?.kind == "C# namespace")
        #expect(a.edgeLines == ["src/Acme.Core -> src/Acme.Core/Text @ src/Acme.Core/Api.cs:1"])
    }

    @Test("tests and examples that use a public symbol are linked from it")
    func examplesLinked() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.goRoot)
        func uses(_ name: String) -> [String] {
            a.symbols.filter { $0.name == name }.flatMap { a.examples[Analysis.symbolKey($0)] ?? [] }.map { "\($0.role.rawValue) \($0.path):\($0.line)" }
        }
        #expect(uses("New") == ["test lib_test.go:6"])
        #expect(uses("Get") == ["example examples/basic/main.go:6"])
        #expect(uses("Put") == ["example example_test.go:6"])  // pkgsite's Example functions
    }

    @Test("a SwiftPM plugin is a target in Plugins/<name>, its shared folders included (swift-argument-parser)")
    func swiftPlugins() throws {
        let a = try ModuleFixture.analysis(of: [
            "Package.swift": """
                let package = Package(name: "P", targets: [
                    .target(name: "Kit"),
                    .plugin(name: "GenerateManual", capability: .command(intent: .custom(verb: "m", description: "d"))),
                ])
                """,
            "Sources/Kit/Kit.swift": "public func kit() {}\n",
            "Plugins/GenerateManual/Plugin.swift": "struct Plugin {}\n",
            "Plugins/GenerateManual/GenerateCommon/Common.swift": "struct Common {}\n",
        ])
        #expect(a.modulePaths == ["Plugins/GenerateManual", "Sources/Kit"])
        #expect(a.module("Plugins/GenerateManual")?.kind == "SwiftPM target")
    }

    @Test("the tests and examples an entry links to have source views: no link of the built-in pages is dangling")
    func exampleLinksLand() throws {
        let f = try ModuleFixture(ModuleFixtures.goRoot)
        defer { f.remove() }
        let out = f.root + "-docs"
        let summary = try ForegroundGenerator().run(source: f.root, branch: nil, out: out) { _, _ in }
        #expect(summary.unverifiedMentions == 0)
        let page = try String(contentsOfFile: out + "/modules/root.md", encoding: .utf8)
        #expect(page.contains("Used in test [`lib_test.go:6`](../source/lib_test.go.html#L6)."))
        for view in ["lib_test.go", "examples+basic+main.go", "example_test.go"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/source/\(view).html"), "\(view)")
        }
    }

    @Test("options.modules picks a sub-package: only its page is written")
    func pickSubPackage() throws {
        let f = try ModuleFixture(ModuleFixtures.python)
        defer { f.remove() }
        var g = ForegroundGenerator()
        g.modules = ["pkg/sub"]
        let out = f.root + "-docs"
        let summary = try g.run(source: f.root, branch: nil, out: out) { _, _ in }
        #expect(summary.modules == 1)
        let pages = try FileManager.default.contentsOfDirectory(atPath: out + "/modules").filter { $0.hasSuffix(".md") }
        #expect(pages == ["pkg+sub.md"])
        let page = try String(contentsOfFile: out + "/modules/pkg+sub.md", encoding: .utf8)
        // pkg has no page in this set: the dependency is named, not linked (the citation links to the source).
        #expect(page.contains("- `pkg` — `..helpers` at [`pkg/sub/deep.py:1`](../source/pkg+sub+deep.py.html#L1)"))
        #expect(summary.unverifiedMentions == 0)
    }
}
