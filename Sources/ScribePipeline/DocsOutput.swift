import Foundation
import ScribeCore
import ScribeStore

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a documentation set into a folder: Markdown pages (with Mermaid), their HTML (cmark-gfm), SVG
/// diagrams (Graphviz), `index.json` (pages and objects) and `analysis.json` (the facts the pages name).
public struct DocsOutput {
    public let dir: String
    public var generator = BuiltinGenerator()
    /// The clone the pages describe: source views are written from it when the pages link to them.
    public var sourceRoot: String? = nil
    /// Where the pages', HTML's and diagrams' times go.
    public var clock = StageClock()

    public init(dir: String) { self.dir = dir }

    public func modulePagePath(_ m: Analysis.Module) -> String { "\(dir)/\(m.pagePath)" }

    public func writeModule(_ m: Analysis.Module, _ a: Analysis) throws {
        if try writeDataObject(m, a) { return }
        for page in generator.modulePages(m, a) { try DocsOutput.write(page.markdown, to: "\(dir)/\(page.path)") }
    }

    /// The parts a module's API reference was split into (`modules/<page>/part-N.md`), for pages written by
    /// another generator around the built-in reference.
    public func writeParts(_ m: Analysis.Module, _ a: Analysis) throws {
        for page in generator.modulePages(m, a).dropFirst() { try DocsOutput.write(page.markdown, to: "\(dir)/\(page.path)") }
    }

    /// The folder of a module's split parts.
    public func partsDir(_ m: Analysis.Module) -> String { "\(dir)/modules/\(m.pageName)" }

    /// The part pages written for a module, in order.
    func partPages(_ m: Analysis.Module) -> [String] {
        var out: [String] = []
        while FileManager.default.fileExists(atPath: "\(dir)/\(BuiltinGenerator.partPath(m, out.count + 1))") {
            out.append(BuiltinGenerator.partPath(m, out.count + 1))
        }
        return out
    }

    /// Everything but the module pages; returns the index of what the folder holds.
    public func finalize(_ a: Analysis, modules: [Analysis.Module], ctx: BuiltinGenerator.Context, notes: (String) -> Void) throws
        -> [LeaseStore.PageRecord]
    {
        var pages = try writeOverview(a, modules: modules, ctx: ctx)
        let data = try writeDataOverview(a, modules: modules, title: ctx.repositoryName)
        if let p = data?.page { pages.append(p) }
        let diagramsStart = DispatchTime.now().uptimeNanoseconds
        pages += try writeDiagrams(a, modules: modules, data: data?.dot, title: ctx.repositoryName, notes: notes)
        clock.add("diagrams", Double(DispatchTime.now().uptimeNanoseconds - diagramsStart) / 1e9)
        // Source views for `file:line` links on hosts without a known file view.
        if let links = generator.sourceLinks, links.usesSourceViews, let root = sourceRoot {
            pages += try writeSourceViews(modules, a, root: root, commit: links.commit)
        }
        pages += try writeSearch(a, modules: modules, pages: pages)
        let htmlStart = DispatchTime.now().uptimeNanoseconds
        pages += try writeHTML(a, modules: modules, pages: pages, ctx: ctx)
        clock.add("html", Double(DispatchTime.now().uptimeNanoseconds - htmlStart) / 1e9)
        return pages + (try writeIndexes(a, modules: modules, pages: pages, ctx: ctx))
    }

    /// `index.md`, and the records of the overview and of the module pages and their parts.
    func writeOverview(_ a: Analysis, modules: [Analysis.Module], ctx: BuiltinGenerator.Context) throws -> [LeaseStore.PageRecord] {
        let md = "text/markdown; charset=utf-8"
        let overview = generator.overview(a, ctx, documented: modules)
        try DocsOutput.write(overview.markdown, to: "\(dir)/index.md")
        var pages: [LeaseStore.PageRecord] = [.init(path: "index.md", title: overview.title, kind: "overview", module: nil, contentType: md)]
        for m in modules {
            pages.append(.init(path: m.pagePath, title: m.name, kind: "module", module: m.path, contentType: md))
            for (i, part) in partPages(m).enumerated() {
                pages.append(.init(path: part, title: "\(m.name) (part \(i + 1))", kind: "module", module: m.path, contentType: md))
            }
        }
        return pages
    }

    /// The dependency diagrams (the data overview's, the modules', each module's), drawn by one Graphviz run.
    func writeDiagrams(
        _ a: Analysis, modules: [Analysis.Module], data: (String, String)?, title: String, notes: (String) -> Void
    ) throws -> [LeaseStore.PageRecord] {
        let shown = Set(modules.map(\.path))
        var dots: [(String, String)] = []
        if let d = data { dots.append(d) }
        let overviewEdges = a.dependencies.filter { shown.contains($0.from) && shown.contains($0.to) }
        if !overviewEdges.isEmpty { dots.append(("overview", Diagram.dot(edges: overviewEdges, title: title))) }
        for m in modules {
            let edges = a.uses(m.path) + a.usedBy(m.path)
            if !edges.isEmpty { dots.append((m.pageName, Diagram.dot(edges: edges, title: m.name))) }
        }
        guard !dots.isEmpty else { return [] }
        let ddir = "\(dir)/diagrams"
        try FileManager.default.createDirectory(atPath: ddir, withIntermediateDirectories: true)
        for (name, text) in dots { try DocsOutput.write(text, to: "\(ddir)/\(name).dot") }
        guard Subprocess.which("dot") != nil else {
            notes("Graphviz is not installed: diagrams are in Mermaid only")
            return []
        }
        let r = try Subprocess.run(
            "dot", ["-Tsvg", "-O"] + dots.map { "./\($0.0).dot" },
            env: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"], cwd: ddir, timeout: 120)
        if r.status != 0 { notes("Graphviz could not draw the diagrams: \(r.stderr.prefix(200))") }
        var pages: [LeaseStore.PageRecord] = []
        for (name, _) in dots {
            // dot -O names its output NAME.dot.svg
            if rename("\(ddir)/\(name).dot.svg", "\(ddir)/\(name).svg") == 0 {
                pages.append(.init(path: "diagrams/\(name).svg", title: "Diagram \(name)", kind: "asset", module: nil, contentType: "image/svg+xml"))
            }
            unlink("\(ddir)/\(name).dot")
        }
        return pages
    }

    /// The search index (JSON for the API and the viewer, a script for the site opened from file://) and the
    /// site's script.
    func writeSearch(_ a: Analysis, modules: [Analysis.Module], pages: [LeaseStore.PageRecord]) throws -> [LeaseStore.PageRecord] {
        let search = searchIndex(a, modules: modules, pages: pages)
        try DocsOutput.write(search.serialized() + "\n", to: "\(dir)/\(DocsOutput.searchFile)")
        var out: [LeaseStore.PageRecord] = [
            .init(path: DocsOutput.searchFile, title: "Search index", kind: "index", module: nil, contentType: "application/json")
        ]
        try DocsOutput.write("window.SCRIBE_SEARCH = " + search.serialized() + ";\n", to: "\(dir)/search-index.js")
        try DocsOutput.write(DocsOutput.siteScript, to: "\(dir)/site.js")
        for f in ["search-index.js", "site.js"] {
            out.append(.init(path: f, title: f, kind: "asset", module: nil, contentType: "text/javascript; charset=utf-8"))
        }
        return out
    }

    /// HTML beside each Markdown page, with the modules' sidebar and breadcrumbs; the style sheet and llms.txt.
    func writeHTML(
        _ a: Analysis, modules: [Analysis.Module], pages: [LeaseStore.PageRecord], ctx: BuiltinGenerator.Context
    ) throws -> [LeaseStore.PageRecord] {
        try DocsOutput.write(DocsOutput.css, to: "\(dir)/style.css")
        var out: [LeaseStore.PageRecord] = [
            .init(path: "style.css", title: "Style", kind: "asset", module: nil, contentType: "text/css; charset=utf-8")
        ]
        let mdPages = pages.filter { $0.path.hasSuffix(".md") }
        let nav = Sidebar(mdPages, modules)
        for p in mdPages {
            let text = (try? String(contentsOfFile: "\(dir)/\(p.path)", encoding: .utf8)) ?? ""
            let up = String(repeating: "../", count: p.path.split(separator: "/").count - 1)
            let html = MarkdownRenderer.document(
                title: p.title, markdown: text, cssPath: up + "style.css", sidebar: nav.html(current: p.path, up: up),
                breadcrumbs: breadcrumbs(p, modules, ctx: ctx, up: up),
                scripts: "<script src=\"\(up)search-index.js\" defer></script><script src=\"\(up)site.js\" defer></script>")
            let htmlPath = String(p.path.dropLast(3)) + ".html"
            try DocsOutput.write(html, to: "\(dir)/\(htmlPath)")
            out.append(.init(path: htmlPath, title: p.title, kind: "asset", module: p.module, contentType: "text/html; charset=utf-8"))
        }
        try DocsOutput.write(llmsText(ctx, a, mdPages), to: "\(dir)/llms.txt")
        out.append(.init(path: "llms.txt", title: "llms.txt", kind: "index", module: nil, contentType: "text/plain; charset=utf-8"))
        return out
    }

    /// `index.json` (every page so far and the modules), `coverage.json` and `analysis.json`.
    func writeIndexes(
        _ a: Analysis, modules: [Analysis.Module], pages: [LeaseStore.PageRecord], ctx: BuiltinGenerator.Context
    ) throws -> [LeaseStore.PageRecord] {
        let index: JSONValue = .object([
            ("repository", .string(ctx.repositoryName)), ("url", .string(ctx.repositoryURL)), ("commit", .string(ctx.commit)),
            ("generator", .string(BuiltinGenerator.version)), ("generated_at", .string(ctx.generatedAt)),
            ("pages", .array(pages.map { .object([("path", .string($0.path)), ("title", .string($0.title)), ("kind", .string($0.kind)), ("module", .str($0.module))]) })),
            ("objects", .array(modules.map { m in
                .object([("path", .string(m.path)), ("page", .string(m.pagePath)), ("kind", .string(m.kind)), ("name", .str(m.qualifiedName)),
                         ("files", .num(m.files.count)), ("lines", .num(m.lines)), ("coverage", DocsOutput.coverageJSON(a.coverage(of: m)))])
            })),
            ("coverage", DocsOutput.overallJSON(a, modules)),
        ])
        try DocsOutput.write(index.serialized() + "\n", to: "\(dir)/index.json")
        try DocsOutput.write(DocsOutput.overallJSON(a, modules).serialized() + "\n", to: "\(dir)/\(DocsOutput.coverageFile)")
        try DocsOutput.write(DocsOutput.analysisJSON(a).serialized() + "\n", to: "\(dir)/analysis.json")
        return [
            .init(path: "index.json", title: "Index", kind: "index", module: nil, contentType: "application/json"),
            .init(path: DocsOutput.coverageFile, title: "Coverage", kind: "index", module: nil, contentType: "application/json"),
            .init(path: "analysis.json", title: "Analysis", kind: "index", module: nil, contentType: "application/json"),
        ]
    }

    /// The small file the API reads a job's coverage from.
    public static let coverageFile = "coverage.json"

    static func coverageJSON(_ c: Analysis.Coverage) -> JSONValue {
        .object([("percent", .double(((c.percent * 10).rounded()) / 10)), ("package_doc", .bool(c.packageDoc)),
                 ("public_symbols", .num(c.exported)), ("documented_symbols", .num(c.documented))])
    }

    /// Overall coverage of the documented modules, weighted by their public symbols.
    static func overallJSON(_ a: Analysis, _ modules: [Analysis.Module]) -> JSONValue {
        let o = a.overallCoverage(modules)
        return .object([("percent", .double(((o.percent * 10).rounded()) / 10)), ("public_symbols", .num(o.exported)),
                        ("documented_symbols", .num(o.documented)), ("modules", .num(modules.count))])
    }

    /// The facts behind the pages: files, modules, public declarations and module dependencies.
    static func analysisJSON(_ a: Analysis) -> JSONValue {
        .object([
            ("files", .array(a.files.map { .object([("path", .string($0.path)), ("language", .str($0.language)), ("lines", .num($0.lines)), ("module", .string($0.module)), ("role", .string($0.role.rawValue))]) })),
            ("modules", .array(a.modules.map { .object([("path", .string($0.path)), ("kind", .string($0.kind)), ("name", .str($0.qualifiedName)), ("files", .num($0.files.count))]) })),
            ("symbols", .array(a.symbols.filter { $0.isReference && $0.isPublic }.map {
                .object([("name", .string($0.name)), ("qualified_name", .string($0.qualifiedName)), ("kind", .string($0.kind)),
                         ("path", .string($0.path)), ("line", .num($0.line)), ("signature", .str($0.signature)),
                         ("inherits", .array($0.inherits.map { .string($0) })),
                         ("signatures", $0.signatures.isEmpty ? .null : .array($0.signatures.map(JSONValue.string))),
                         ("defined_at", $0.definedAt.map { .string("\($0.path):\($0.line)") } ?? .null)])
            })),
            ("dependencies", .array(a.dependencies.map { d in
                .object([("from", .string(d.from)), ("to", .string(d.to)),
                         ("evidence", .array(d.evidence.map { .object([("path", .string($0.path)), ("line", .num($0.line)), ("import", .string($0.target))]) }))])
            })),
            ("facts", .array(
                [("command", a.facts.commands), ("entry_point", a.facts.entryPoints), ("route", a.facts.routes), ("environment", a.facts.environment),
                 ("module_command", a.facts.moduleCommands)]
                    .flatMap { kind, facts in
                        facts.map { .object([("kind", .string(kind)), ("text", .string($0.text)), ("detail", .str($0.detail)), ("path", .string($0.path)), ("line", .num($0.line))]) }
                    })),
            ("skipped", .object(a.skipped.reasons.map { ($0.key, .num($0.count)) })),
        ])
    }

    public static func write(_ text: String, to path: String) throws {
        let d = CloneTree.parent(path)
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        let tmp = path + ".tmp"
        // Plain writes, no fsync per file (Foundation's `Data.write` syncs each one, which made a tree of
        // 60,000 source views spend most of its time in the disk): the folder is rebuilt from scratch on a
        // retry, and the pages' lasting copy is the one the store keeps.
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PipelineError.transient("cannot write \(path): \(Posix.Errno.last)") }
        var text = text
        if let error = text.withUTF8({ Posix.writeAll(fd, UnsafeRawBufferPointer($0)) }) {
            close(fd)
            unlink(tmp)
            throw PipelineError.transient("cannot write \(path): \(error)")
        }
        guard close(fd) == 0, rename(tmp, path) == 0 else {
            let error = Posix.Errno.last
            unlink(tmp)
            throw PipelineError.transient("cannot write \(path): \(error)")
        }
    }

    /// The search index of a documentation set.
    public static let searchFile = "search.json"

    static let css = """
        body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}
        main{max-width:60rem;margin:0 auto;padding:1rem 1.5rem}
        pre{background:#f6f8fa;padding:.75rem;overflow:auto;border-radius:6px}
        code{font-family:ui-monospace,monospace;font-size:.9em}
        table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.25rem .5rem}
        blockquote{margin:0;padding:0 1rem;color:#59636e;border-left:.25rem solid #d0d7de}
        img{max-width:100%}
        body{display:flex;align-items:flex-start}
        nav.sidebar{position:sticky;top:0;flex:0 0 16rem;max-height:100vh;overflow:auto;padding:1rem;border-right:1px solid #d0d7de;font-size:.9em}
        nav.sidebar ul{list-style:none;padding-left:0;margin:.25rem 0}nav.sidebar li{margin:.15rem 0;overflow-wrap:anywhere}
        nav.sidebar a[aria-current]{font-weight:600}
        nav.breadcrumbs{font-size:.9em;color:#59636e;margin-bottom:.5rem}
        main{flex:1;min-width:0}
        .search input{width:100%;box-sizing:border-box}.search ol{padding-left:1.2rem}
        .source ol{font-family:ui-monospace,monospace;font-size:.85em;white-space:pre}.source li:target{background:#fff8c5}
        @media (max-width:50rem){body{display:block}nav.sidebar{position:static;max-height:none;border-right:0}}

        """
}
