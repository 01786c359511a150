import Foundation
import Testing

@testable import ScribePipeline

@Suite("The pages as a site: anchors, contents, source links, facts")
struct SiteTests {
    @Test("slugs follow one rule and repeats are numbered in page order")
    func slugs() {
        #expect(Site.slug("API reference") == "api-reference")
        #expect(Site.slug("Foo.bar(_:)") == "foo.bar_")
        var s = Site.Slugger()
        #expect([s.next("Files"), s.next("Files"), s.next("files-1"), s.next("Files")] == ["files", "files-1", "files-1-1", "files-2"])
    }

    @Test("headings outside code fences and quotes become anchors; their text is what a reader sees")
    func headings() {
        let md = "# Module `a|b`\n\n```\n# not a heading\n```\n\n> # quoted\n\n## Purpose\n\n### `Widget`\n\n## Purpose\n"
        let hs = Site.headings(md)
        #expect(hs.map(\.text) == ["Module a|b", "Purpose", "Widget", "Purpose"])
        #expect(hs.map(\.slug) == ["module-ab", "purpose", "widget", "purpose-1"])
        #expect(hs.map(\.line) == [1, 9, 11, 13])
    }

    @Test("the HTML gets the Markdown's anchors, and a quoted doc comment's heading gets none")
    func htmlAnchors() {
        let md = "# Title\n\n> # From a doc comment\n\n## Purpose\n"
        let html = MarkdownRenderer.withAnchors(MarkdownRenderer.html(md), Site.headings(md))
        #expect(html.contains("<h1 id=\"title\">Title</h1>"))
        #expect(html.contains("<h1>From a doc comment</h1>"))
        #expect(html.contains("<h2 id=\"purpose\">Purpose</h2>"))
    }

    @Test("contents list the sections and entries with the anchors the HTML gets")
    func contents() {
        let page = Site.withContents("# T\n\n_sub_\n\n## A\n\n### `x`\n\n## B\n")
        #expect(page.hasPrefix("# T\n\n_sub_\n\n## Contents\n\n- [A](#a)\n  - [x](#x)\n- [B](#b)\n\n## A"))
        let ids = Set(Site.headings(page).map(\.slug))
        #expect(ids.isSuperset(of: ["a", "x", "b"]))
    }

    @Test("source links: the host's file view at the commit, else the source view beside the pages")
    func sourceLinks() {
        let c = "0123456789abcdef0123456789abcdef01234567"
        let gh = Site.SourceLinks(repositoryURL: "https://github.com/acme/shop.git", commit: c)
        #expect(gh.url("src/a b.py", line: 7, from: "modules/x.md") == "https://github.com/acme/shop/blob/\(c)/src/a%20b.py#L7")
        let local = Site.SourceLinks(repositoryURL: "/srv/git/shop", commit: c)
        #expect(local.usesSourceViews)
        #expect(local.url("src/a.py", line: 3, from: "modules/x/part-1.md") == "../../source/src+a.py.html#L3")
        // A host with a port is not assumed to be the public site.
        #expect(Site.SourceLinks(repositoryURL: "https://github.com:8443/a/b", commit: c).usesSourceViews)
        // The exported site (`scribe generate --site`) links to its own source views whatever the host.
        let site = Site.SourceLinks(repositoryURL: "https://github.com/acme/shop.git", commit: c, sourceViewsOnly: true)
        #expect(site.usesSourceViews && site.url("src/a.py", line: 3, from: "index.md") == "source/src+a.py.html#L3")
    }

    @Test("the README's first paragraph that says what the project is")
    func readmeParagraph() {
        let readme = "[![ci](x.svg)](y)\n\nThis README reflects the latest changes.\n\n[Docs](a) · [API](b)\n\nShop sells widgets over HTTP.\n"
        #expect(MD.firstParagraph(readme) == "Shop sells widgets over HTTP.")
    }

    @Test("README commands, routes and environment variables with defaults, each on its own line")
    func facts() {
        let readme = "# Shop\n\n## Installation\n\n```sh\n$ pip install -e .\n```\n\n## License\n\n```sh\nnot-a-command\n```\n"
        let cmds = ProjectFacts.readmeCommands(readme, path: "README.md")
        #expect(cmds == [.init(text: "pip install -e .", detail: "Installation", path: "README.md", line: 6)])
        var f = ProjectFacts()
        let file = Analysis.File(path: "api/app.py", language: "Python", lines: 4, bytes: 0, module: "api")
        ProjectFacts.sourceFacts(
            ["import os", "PORT = os.environ.get(\"PORT\", \"8080\")", "@app.post(\"/items\")", "KEY = os.environ[\"KEY\"]"], file, &f)
        #expect(f.routes == [.init(text: "/items", detail: "POST", path: "api/app.py", line: 3)])
        #expect(f.environment == [
            .init(text: "PORT", detail: "\"8080\"", path: "api/app.py", line: 2), .init(text: "KEY", detail: nil, path: "api/app.py", line: 4),
        ])
    }

    @Test("entry points are the project's manifests', never an example's or a test's")
    func entryPointsOfTheProjectOnly() throws {
        // click: every examples/*/pyproject.toml declares a console script of its own.
        let script = "[project]\nname = \"x\"\n\n[project.scripts]\n"
        let a = try ModuleFixture.analysis(of: [
            "pyproject.toml": script + "shop = \"shop.cli:main\"\n",
            "shop/__init__.py": "\"\"\"Shop.\"\"\"\n", "shop/cli.py": "def main():\n    pass\n",
            "examples/aliases/pyproject.toml": script + "aliases = \"aliases:cli\"\n",
            "tests/fixture/pyproject.toml": script + "fixture = \"fixture:cli\"\n",
        ])
        #expect(a.facts.entryPoints.map { "\($0.text) \($0.path):\($0.line)" } == ["shop pyproject.toml:5"])
    }

    @Test("a package doc's first paragraph, a reST title not included")
    func packageDocAbstract() {
        // requests/__init__.py
        let doc = "Requests HTTP Library\n~~~~~~~~~~~~~~~~~~~~~\n\nRequests is an HTTP library, written in Python, for\nhuman beings.\nBasic GET usage:\n\n   >>> import requests\n"
        #expect(MD.docAbstract(doc) == "Requests is an HTTP library, written in Python, for human beings.")
        #expect(MD.docAbstract("Usage:\n\n  x()") == "Usage:")  // nothing stands before the lead-in
        #expect(MD.docAbstract("Version 2.1 of it: see below:") == "Version 2.1 of it: see below:")
        #expect(MD.docAbstract("Package pflag is a drop-in replacement\nfor flag.\n\nMore.") == "Package pflag is a drop-in replacement for flag.")
        #expect(MD.docAbstract("\n\n") == nil)
    }

    @Test("an import quoted on one line")
    func importOnOneLine() {
        // ripgrep's crates/core/flags/hiargs.rs:15
        #expect(BuiltinGenerator.importText("crate::{\n    flags::lowargs::{\n        BinaryMode, BoundaryMode,\n    },\n    haystack::Haystack,\n}")
            == "crate::{flags::lowargs::{BinaryMode, BoundaryMode,}, haystack::Haystack,}")
        #expect(BuiltinGenerator.importText(String(repeating: "a", count: 130)) == String(repeating: "a", count: 120) + "…")
    }

    @Test("module layers: each one above the highest it imports")
    func layers() {
        let e = { (a: String, b: String) in Analysis.Dependency(from: a, to: b, evidence: []) }
        #expect(BuiltinGenerator.layers(["app", "core", "db", "util"], [e("app", "core"), e("core", "db"), e("app", "util")])
            == [["db", "util"], ["core"], ["app"]])
    }
}
