import Foundation

/// The offline generator: documentation from what the code states, and nothing else. Every name and path a
/// page shows comes from the analysis; a module with nothing to say is marked as such, never described in
/// invented words.
public struct BuiltinGenerator {
    public static let version = "builtin-4"
    public static let notDocumented = "⚠️ Not documented in the source"
    static let maxMembers = 120
    /// A module page larger than this splits its API reference into parts, by file, each under the limit.
    public var maxPageBytes = 100 * 1024
    /// The modules that get pages in this set (all when nil): dependencies on others are named, not linked.
    public var documentedModules: Set<String>? = nil
    /// Where `file:line` citations link to (none: plain code spans).
    public var sourceLinks: Site.SourceLinks? = nil
    /// Anchors of other modules' entries, for links from signatures and doc comments (none: no such links).
    public var directory: SymbolDirectory? = nil

    public struct Context: Sendable {
        public let repositoryName: String
        public let repositoryURL: String
        public let commit: String
        public let generatedAt: String
    }

    public struct Page: Sendable {
        public let path: String
        public let title: String
        public let kind: String
        public let module: String?
        public let markdown: String
    }

    public init() {}

    static func fence(_ language: String?) -> String {
        switch language {
        case "C++": return "cpp"
        case "C#": return "csharp"
        case "Objective-C", "Objective-C++": return "objc"
        case "Shell": return "sh"
        case nil: return ""
        default: return language!.lowercased()
        }
    }

    /// A module's purpose in its own words: the package doc its language writes in the package (Go, Python,
    /// Rust, Java, a Swift target's DocC catalog) before a README in its folder; for the other languages the
    /// README first.
    static func purpose(_ m: Analysis.Module, _ a: Analysis) -> (text: String, source: String)? {
        let own = a.moduleDocs[m.path].map { (text: MD.docAbstract($0.text) ?? $0.text, source: $0.path) }
        var readme: (text: String, source: String)? = nil
        if let r = m.readme, let para = MD.firstParagraph(r), let path = m.readmePath { readme = (para, path) }
        return Analysis.hasOwnPackageDoc(m.codeLanguage) ? own ?? readme : readme ?? own
    }

    /// A module's main page.
    public func modulePage(_ m: Analysis.Module, _ a: Analysis) -> Page { modulePages(m, a)[0] }

    /// A module's page and, when its API reference would make it larger than `maxPageBytes`, the parts
    /// that reference is split into (`modules/<page>/part-N.md`), each holding whole files where it can.
    /// A layout the directory made for the module's anchors is taken back rather than made again; else the
    /// layout is made without links, and its anchors are known before any link to the module's own entries.
    public func modulePages(_ m: Analysis.Module, _ a: Analysis) -> [Page] {
        guard let directory else { return pages(layout(m, a), a) }
        let l =
            directory.takeLayout(m.path)
            ?? {
                var plain = self
                plain.directory = nil
                return plain.layout(m, a)
            }()
        directory.record(m.path) { anchors(l) }
        return pages(l, a)
    }

    /// Title, kind and size, purpose, coverage and the module's own facts.
    func moduleIntro(_ m: Analysis.Module, _ a: Analysis) -> String {
        var md = "# Module \(MD.code(m.name))\n\n"
        let langs = m.languages.map(\.0)
        md += "_\(MD.cell(m.kind))"
        if let q = m.qualifiedName { md += " \(MD.cell(q))" }  // a name, not a path or symbol: plain text
        md += " · \(m.files.count) file\(m.files.count == 1 ? "" : "s") · \(m.lines) line\(m.lines == 1 ? "" : "s")"
        if !langs.isEmpty { md += " · " + langs.prefix(4).map(MD.cell).joined(separator: ", ") }
        md += "_\n\n## Purpose\n\n"
        if let p = Self.purpose(m, a) {
            md += MD.quote(p.text) + "\n\n— from \(MD.code(p.source))\n\n"
        } else {
            md += "\(Self.notDocumented)\n\n"
        }
        if !m.entryPoints.isEmpty {
            md += "Entry points declared in its package.json: " + m.entryPoints.map(MD.code).joined(separator: ", ") + "\n\n"
        }
        let c = a.coverage(of: m)
        md += "## Coverage\n\n\(c.text): package documentation \(c.packageDoc ? "present" : "missing"), "
        md += "\(c.documented) of \(c.exported) public symbol\(c.exported == 1 ? "" : "s") documented.\n\n"
        return md + moduleFacts(m, a)
    }

    /// Dependencies, the files table and the way back to the overview.
    func moduleRest(_ m: Analysis.Module, _ a: Analysis) -> String {
        var rest = dependencies(m, a)
        rest += "## Files\n\n| File | Language | Lines |\n| --- | --- | ---: |\n"
        let files = Self.listedFiles(m, a)
        for f in files.listed {
            let name = sourceTarget(f.path, 1).map { "[\(MD.codeCell(f.path))](\($0))" } ?? MD.codeCell(f.path)
            rest += "| \(name) | \(MD.cell(f.language ?? "—")) | \(f.lines) |\n"
        }
        if files.others > 0 {
            rest += "\n_\(files.others) other file\(files.others == 1 ? "" : "s") in its folder (configuration, build, prose and data) "
            rest += "\(files.others == 1 ? "is" : "are") not listed._\n"
        }
        return rest + "\n[← Overview](\(Self.root)index.md)\n"
    }

    /// `modules/<page>/part-N.md`
    static func partPath(_ m: Analysis.Module, _ n: Int) -> String { "modules/\(m.pageName)/part-\(n).md" }

    /// Marks a link target relative to the documentation's root until the page it lands on is known.
    static let root = "\u{E000}root\u{E001}"

    /// A page's final text: root-relative targets made relative to `path`, and a table of contents.
    static func finish(_ markdown: String, _ path: String) -> String {
        let up = String(repeating: "../", count: path.split(separator: "/").count - 1)
        return Site.withContents(replacingRoot(markdown, with: up))
    }

    /// Every root marker replaced, byte by byte: Foundation's search walks a whole page as UTF-16 clusters,
    /// and a marker is always followed by a path's ASCII.
    static func replacingRoot(_ markdown: String, with up: String) -> String {
        let marker = Array(root.utf8)
        let src = Array(markdown.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(src.count)
        var i = 0
        while i < src.count {
            if src[i] == marker[0], i + marker.count <= src.count, src[i..<i + marker.count].elementsEqual(marker) {
                out += up.utf8
                i += marker.count
            } else {
                out.append(src[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Public declarations with signature, doc comment, `file:line` and the tests and examples that use them;
    /// members listed under their type. The "Refers to" line between the doc comment and the uses is added
    /// with the pages (`pages`), once the directory knows the anchors.
    func apiEntries(_ m: Analysis.Module, _ a: Analysis) -> [Entry] {
        let (top, members) = Self.topLevel(m, a)
        return top.map { s in
            var md = "### \(MD.code(s.qualifiedName))\n\n"
            md += "\(MD.cell(s.kind)) · \(cite(s.path, s.line))"
            if let d = s.definedAt { md += " · defined at \(cite(d.path, d.line))" }
            md += "\n\n"
            md += MD.fenced(Self.header(s), language: Self.fence(s.language)) + "\n"
            if let doc = s.doc {
                md += Self.renderDoc(doc)
            } else {
                md += "_No doc comment._\n\n"
            }
            var tail = ""
            if let uses = a.examples[Analysis.symbolKey(s)], !uses.isEmpty {
                tail += "Used in " + uses.map { "\($0.role.rawValue) \(cite($0.path, $0.line))" }.joined(separator: ", ") + ".\n\n"
            }
            if let ms = members[s.qualifiedName], !ms.isEmpty {
                tail += "| Member | Kind | Declaration | Line |\n| --- | --- | --- | --- |\n"
                for x in ms.prefix(Self.maxMembers) {
                    let doc = x.doc.map { " — " + MD.cell(Self.summaryLine($0)) } ?? ""
                    // An overload group's declarations, one code span each: a cell holds no line break.
                    let decl = (x.signatures.isEmpty ? [Self.header(x)] : x.signatures).map(MD.codeCell).joined(separator: ", ")
                    tail += "| \(MD.codeCell(x.name))\(doc) | \(MD.cell(x.kind)) | \(decl) | \(cite(x.path, x.line, cell: true)) |\n"
                }
                if ms.count > Self.maxMembers { tail += "\n_\(ms.count - Self.maxMembers) more members are not listed._\n" }
                tail += "\n"
            }
            return Entry(symbol: s, lead: md, tail: tail)
        }
    }

    /// A module's top-level public declarations in page order, and the members listed under each type. A type
    /// nested in another is a member row of its parent and, when it has members of its own, an entry too (as
    /// DocC and rustdoc give it a page), so that its members are listed somewhere.
    static func topLevel(_ m: Analysis.Module, _ a: Analysis) -> (top: [Symbol], members: [String: [Symbol]]) {
        let symbols = a.publicSymbols(in: m.path)
        let typeNames = Set(symbols.filter(\.isType).map(\.qualifiedName))
        let withMembers = Set(symbols.compactMap(\.scope)).intersection(typeNames)
        var members: [String: [Symbol]] = [:]
        var top: [Symbol] = []
        for s in symbols {
            if let scope = s.scope, typeNames.contains(scope), !s.isType || s.scopeKind != "package" {
                members[scope, default: []].append(s)
                if s.isType && withMembers.contains(s.qualifiedName) { top.append(s) }
            } else {
                top.append(s)
            }
        }
        return (top, members)
    }

    /// A `file:line` citation, linked to the source when the generator knows where it lives.
    func cite(_ path: String, _ line: Int, cell: Bool = false) -> String {
        let span = cell ? MD.codeCell("\(path):\(line)") : MD.code("\(path):\(line)")
        return sourceTarget(path, line).map { "[\(span)](\($0))" } ?? span
    }

    /// The link target of `path:line`: the host's URL, or the source view relative to the root.
    func sourceTarget(_ path: String, _ line: Int) -> String? {
        guard let sourceLinks else { return nil }
        let url = sourceLinks.url(path, line: line, from: "index.md")
        return sourceLinks.usesSourceViews ? Self.root + url : url
    }

    /// "Refers to": the documented types that a declaration's signature or doc comment names, linked to
    /// their entries.
    func referencesLine(_ s: Symbol, _ m: Analysis.Module, _ a: Analysis, _ dir: SymbolDirectory) -> String {
        var names: [String] = []
        var seen = Set<String>()
        var text = Self.header(s)
        if let doc = s.doc { text += " " + PageVerifier.codeSpans(doc).joined(separator: " ") }
        for w in Self.identifiers(text) where w != s.name && !seen.contains(w) {
            seen.insert(w)
            names.append(w)
        }
        var links: [String] = []
        for n in names {
            guard let target = dir.entry(named: n, near: m.path, self, a) else { continue }
            links.append("[\(MD.code(n))](\(Self.root)\(target.page)#\(target.anchor))")
            if links.count == 20 { break }
        }
        return links.isEmpty ? "" : "Refers to " + links.joined(separator: ", ") + ".\n\n"
    }

    /// The identifiers in a piece of code, in order.
    static func identifiers(_ text: String) -> [String] {
        var out: [String] = []
        var cur = ""
        for c in text {
            if c.isLetter || c == "_" || (c.isNumber && !cur.isEmpty) {
                cur.append(c)
            } else {
                if !cur.isEmpty { out.append(cur) }
                cur = ""
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    /// A declaration's header as the tool reported it: kind, name, signature and type.
    static func header(_ s: Symbol) -> String {
        if !s.signatures.isEmpty { return s.signatures.joined(separator: "\n") }
        return header(name: s.name, signature: s.signature, typeref: s.typeref, language: s.language)
    }

    static func header(name: String, signature: String?, typeref: String?, language: String?) -> String {
        var h = name
        if let sig = signature { h += sig.hasPrefix(":") || sig.hasPrefix("(") || sig.hasPrefix("<") ? sig : " " + sig }
        if let t = typeref, t.hasPrefix("typename:") {
            let type = String(t.dropFirst(9))
            if language == "C" || language == "C++" || language == "Java" || language == "C#" { h = "\(type) \(h)" } else { h += " -> \(type)" }
        }
        return h.count > 300 ? String(h.prefix(300)) + "…" : h
    }

    /// An import as a page quotes it: on one line (a Rust `use crate::{…}` group spans many), at most 120
    /// characters.
    static func importText(_ target: String) -> String {
        let line = target.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
            .replacingOccurrences(of: "{ ", with: "{").replacingOccurrences(of: " }", with: "}")
        return line.count > 120 ? String(line.prefix(120)) + "…" : line
    }

    func dependencies(_ m: Analysis.Module, _ a: Analysis) -> String {
        let uses = a.uses(m.path)
        let usedBy = a.usedBy(m.path)
        var md = "## Dependencies\n\n"
        if uses.isEmpty && usedBy.isEmpty {
            return md + "No imports between this module and the repository's other modules were found.\n\n"
        }
        func line(_ d: Analysis.Dependency, other: String) -> String {
            let e = d.evidence[0]
            let more = d.evidence.count > 1 ? " (and \(d.evidence.count - 1) more)" : ""
            let name = documentedModules.map { $0.contains(other) } ?? true ? "[\(MD.code(other))](\(Analysis.pageName(other)).md)" : MD.code(other)
            return "- \(name) — \(MD.code(Self.importText(e.target))) at \(cite(e.path, e.line))\(more)\n"
        }
        if !uses.isEmpty {
            md += "**Uses**\n\n" + uses.map { line($0, other: $0.to) }.joined() + "\n"
        }
        if !usedBy.isEmpty {
            md += "**Used by**\n\n" + usedBy.map { line($0, other: $0.from) }.joined() + "\n"
        }
        md += Diagram.mermaid(edges: uses + usedBy) + "\n"
        md += "![Dependencies of \(MD.cell(m.name))](../diagrams/\(m.pageName).svg)\n\n"
        return md
    }

    public func overview(_ a: Analysis, _ ctx: Context, documented: [Analysis.Module]) -> Page {
        var md = "# \(MD.cell(ctx.repositoryName))\n\n"
        md += "_Commit `\(ctx.commit.prefix(12))` · generated \(ctx.generatedAt) by Scribe (\(Self.version))_\n\n"
        md += "## About\n\n"
        if let readme = a.readme, let para = MD.firstParagraph(readme), let path = a.readmePath {
            md += MD.quote(para) + "\n\n— from \(MD.code(path))\n\n"
        } else {
            md += "\(Self.notDocumented)\n\n"
        }
        md += onboarding(a, documented: documented)
        md += "## Size\n\n\(a.files.count) files, \(a.totalLines) lines, \(a.symbols.count) declarations"
        if a.skipped.total > 0 {
            // The four common reasons always, the rare ones when they occurred.
            let shown = a.skipped.reasons.enumerated().filter { $0.offset < 4 || $0.element.count > 0 }.map(\.element)
            md += " (skipped: " + shown.map { "\($0.count) \($0.words)" }.joined(separator: ", ") + ")"
        }
        md += ".\n\n"
        let langs = a.languages
        if !langs.isEmpty {
            md += "## Languages\n\n| Language | Files | Lines |\n| --- | ---: | ---: |\n"
            for l in langs { md += "| \(MD.cell(l.name)) | \(l.files) | \(l.lines) |\n" }
            md += "\n"
        }
        let overall = a.overallCoverage(documented)
        md += "## Documentation coverage\n\n\(Analysis.Coverage.format(overall.percent)) overall: \(overall.documented) of "
        md += "\(overall.exported) public symbols documented (10 % for a package doc comment, 90 % for the documented share "
        md += "of public symbols, weighted by public symbols).\n\n"
        md += "## Modules\n\n| Module | Kind | Files | Lines | Public symbols | Coverage | Purpose |\n"
        md += "| --- | --- | ---: | ---: | ---: | ---: | --- |\n"
        for m in documented {
            let purpose = Self.purpose(m, a).map { MD.cell(String($0.text.prefix(160))) } ?? Self.notDocumented
            let c = a.coverage(of: m)
            md += "| [\(MD.codeCell(m.name))](\(m.pagePath)) | \(MD.cell(m.kind)) | \(m.files.count) | \(m.lines) | \(c.exported) | \(c.text) | \(purpose) |\n"
        }
        md += "\n"
        let shown = Set(documented.map(\.path))
        let edges = a.dependencies.filter { shown.contains($0.from) && shown.contains($0.to) }
        md += "## Module dependencies\n\n"
        if edges.isEmpty {
            md += "No imports between modules were found.\n\n"
        } else {
            md += Diagram.mermaid(edges: edges) + "\n"
            md += "![Module dependencies](diagrams/overview.svg)\n\n"
        }
        md += DataPages.overviewSection(a.data)
        if !a.tools.isEmpty { md += "_Symbols read by \(a.tools.joined(separator: " and "))._\n" }
        return Page(path: "index.md", title: ctx.repositoryName, kind: "overview", module: nil, markdown: Self.finish(md, "index.md"))
    }
}
