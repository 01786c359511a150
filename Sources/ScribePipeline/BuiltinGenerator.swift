import Foundation

/// The offline generator: documentation from what the code states, and nothing else. Every name and path a
/// page shows comes from the analysis; a module with nothing to say is marked as such, never described in
/// invented words.
public struct BuiltinGenerator {
    public static let version = "builtin-2"
    public static let notDocumented = "⚠️ Not documented in the source"
    static let maxTopLevel = 400
    static let maxMembers = 120

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

    /// The purpose of a module in its own words: its README, else its package documentation.
    static func purpose(_ m: Analysis.Module, _ a: Analysis) -> (text: String, source: String)? {
        if let readme = m.readme, let para = MD.firstParagraph(readme), let path = m.readmePath { return (para, path) }
        if let d = a.moduleDocs[m.path] { return (d.text, d.path) }
        return nil
    }

    public func modulePage(_ m: Analysis.Module, _ a: Analysis) -> Page {
        var md = "# Module \(MD.code(m.name))\n\n"
        let langs = m.languages.map(\.0)
        md += "_\(m.files.count) file\(m.files.count == 1 ? "" : "s") · \(m.lines) line\(m.lines == 1 ? "" : "s")"
        if !langs.isEmpty { md += " · " + langs.prefix(4).map(MD.cell).joined(separator: ", ") }
        md += "_\n\n## Purpose\n\n"
        if let p = Self.purpose(m, a) {
            md += MD.quote(p.text) + "\n\n— from \(MD.code(p.source))\n\n"
        } else {
            md += "\(Self.notDocumented)\n\n"
        }
        md += apiReference(m, a)
        md += dependencies(m, a)
        md += "## Files\n\n| File | Language | Lines |\n| --- | --- | ---: |\n"
        for f in m.files { md += "| \(MD.codeCell(f.path)) | \(MD.cell(f.language ?? "—")) | \(f.lines) |\n" }
        md += "\n[← Overview](../index.md)\n"
        return Page(path: m.pagePath, title: m.name, kind: "module", module: m.path, markdown: md)
    }

    /// Public declarations with signature, doc comment and `file:line`; members listed under their type.
    func apiReference(_ m: Analysis.Module, _ a: Analysis) -> String {
        let symbols = a.symbols(in: m.path).filter { $0.isReference && $0.isPublic }
        guard !symbols.isEmpty else {
            return "## API reference\n\nNo public declarations were found in this module's source.\n\n"
        }
        let typeNames = Set(symbols.filter(\.isType).map(\.qualifiedName))
        // Members of a type that is not public are not part of the API, whatever their own modifier.
        let hiddenTypes = Set(a.symbols(in: m.path).filter { $0.isType && !$0.isPublic }.map(\.qualifiedName)).subtracting(typeNames)
        var members: [String: [Symbol]] = [:]
        var top: [Symbol] = []
        for s in symbols {
            if let scope = s.scope, hiddenTypes.contains(scope) { continue }
            if let scope = s.scope, typeNames.contains(scope), !s.isType || s.scopeKind != "package" {
                members[scope, default: []].append(s)
            } else {
                top.append(s)
            }
        }
        var md = "## API reference\n\n\(symbols.count) public declaration\(symbols.count == 1 ? "" : "s").\n\n"
        for s in top.prefix(Self.maxTopLevel) {
            md += "### \(MD.code(s.qualifiedName))\n\n"
            md += "\(MD.cell(s.kind)) · \(MD.code("\(s.path):\(s.line)"))\n\n"
            md += MD.fenced(Self.header(s), language: Self.fence(s.language)) + "\n"
            if let doc = s.doc {
                md += MD.quote(doc) + "\n\n"
            } else {
                md += "_No doc comment._\n\n"
            }
            if let ms = members[s.qualifiedName], !ms.isEmpty {
                md += "| Member | Kind | Declaration | Line |\n| --- | --- | --- | --- |\n"
                for x in ms.prefix(Self.maxMembers) {
                    let doc = x.doc.map { " — " + MD.cell(String($0.split(separator: "\n").first ?? "")) } ?? ""
                    md += "| \(MD.codeCell(x.name))\(doc) | \(MD.cell(x.kind)) | \(MD.codeCell(Self.header(x))) | \(MD.codeCell("\(x.path):\(x.line)")) |\n"
                }
                if ms.count > Self.maxMembers { md += "\n_\(ms.count - Self.maxMembers) more members are not listed._\n" }
                md += "\n"
            }
        }
        if top.count > Self.maxTopLevel { md += "_\(top.count - Self.maxTopLevel) more declarations are not listed._\n\n" }
        return md
    }

    /// A declaration's header as the tool reported it: kind, name, signature and type.
    static func header(_ s: Symbol) -> String {
        var h = s.name
        if let sig = s.signature { h += sig.hasPrefix(":") || sig.hasPrefix("(") || sig.hasPrefix("<") ? sig : " " + sig }
        if let t = s.typeref, t.hasPrefix("typename:") {
            let type = String(t.dropFirst(9))
            if s.language == "C" || s.language == "C++" || s.language == "Java" || s.language == "C#" { h = "\(type) \(h)" } else { h += " -> \(type)" }
        }
        return h.count > 300 ? String(h.prefix(300)) + "…" : h
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
            return "- [\(MD.code(other))](\(Analysis.pageName(other)).md) — \(MD.code(e.target)) at \(MD.code("\(e.path):\(e.line)"))\(more)\n"
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
        md += "## Modules\n\n| Module | Files | Lines | Purpose |\n| --- | ---: | ---: | --- |\n"
        for m in documented {
            let purpose = Self.purpose(m, a).map { MD.cell(String($0.text.prefix(160))) } ?? Self.notDocumented
            md += "| [\(MD.codeCell(m.name))](\(m.pagePath)) | \(m.files.count) | \(m.lines) | \(purpose) |\n"
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
        if !a.tools.isEmpty { md += "_Symbols read by \(a.tools.joined(separator: " and "))._\n" }
        return Page(path: "index.md", title: ctx.repositoryName, kind: "overview", module: nil, markdown: md)
    }
}
