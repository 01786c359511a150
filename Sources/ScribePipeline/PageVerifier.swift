import Foundation

/// Checks what a written page names against the analysis before a job publishes it: every inline code span
/// outside code blocks and quoted doc comments must be a known file, module, public symbol, declaration header,
/// import as written or `file:line` that cites a public declaration, import or use; every `###` heading a
/// public symbol (the public surface is the one the generators show: `Analysis.publicSymbols`);
/// every link to a page a page that was written, and every anchor it names a heading of that page (or a line
/// of a source view). Quoted doc comments and code blocks are the source's own
/// text and are not mentions.
public struct PageVerifier {
    private var known = Set<String>()
    private var citations = Set<String>()
    private var files = Set<String>()
    private var symbolNames = Set<String>()

    public init(_ a: Analysis, extra: [String] = []) {
        // Pages show names as `MD.code` writes them: control characters as escapes.
        for f in a.files { files.insert(Analysis.displayName(f.path)) }
        for m in a.modules {
            known.insert(m.path)
            known.insert(m.name)
            if let q = m.qualifiedName { known.insert(q) }
            for e in m.entryPoints { known.insert(e) }
            if let p = m.readmePath { known.insert(p) }
        }
        for (_, d) in a.moduleDocs { known.insert(d.path) }
        if let p = a.readmePath { known.insert(p) }
        // Declarations by the generators' own rule: a module's public surface (`publicSymbols`), and the
        // extensions whose conformances the class hierarchy lists. A non-public declaration is no API, so a
        // page that names it, its header or its line is wrong. A base stays nameable unless the repository
        // declares it only as non-public (`hiddenTypeNames`): `Sendable` or `Exception` are the language's.
        let hidden = a.hiddenTypeNames
        for m in a.modules {
            for s in a.publicSymbols(in: m.path) {
                symbolNames.insert(s.qualifiedName)
                symbolNames.insert(s.name)
                known.insert(BuiltinGenerator.header(s))
                known.formUnion(s.signatures)  // an overload group's declarations, one code span each in tables
                citations.insert(Analysis.displayName("\(s.path):\(s.line)"))
                if let d = s.definedAt { citations.insert(Analysis.displayName("\(d.path):\(d.line)")) }  // C's definition
            }
            for x in a.symbols(in: m.path)
            where BuiltinGenerator.addsConformances(x) && !hidden.contains(BuiltinGenerator.lastName(x.name)) {
                guard x.inherits.contains(where: { !hidden.contains(BuiltinGenerator.lastName($0)) }) else { continue }
                known.insert(x.name)
                citations.insert(Analysis.displayName("\(x.path):\(x.line)"))
            }
        }
        for s in a.symbols {
            for b in s.inherits where !hidden.contains(BuiltinGenerator.lastName(b)) { known.insert(b) }
        }
        for imp in a.imports {
            known.insert(imp.target.replacingOccurrences(of: "\n", with: " "))
            known.insert(imp.target)  // a statement over several lines, as `MD.code` escapes it
            known.insert(BuiltinGenerator.importText(imp.target))
            citations.insert(Analysis.displayName("\(imp.path):\(imp.line)"))
        }
        for (_, uses) in a.examples { for u in uses { citations.insert(Analysis.displayName("\(u.path):\(u.line)")) } }
        for f in a.facts.all {
            known.insert(f.text)
            if let d = f.detail { known.insert(d) }
            citations.insert(Analysis.displayName("\(f.path):\(f.line)"))
        }
        for e in extra { known.insert(e) }
        let data = DataAnalysis.mentions(a.data)
        known.formUnion(data.names)
        citations.formUnion(data.citations)
        known = Set(known.map(Analysis.displayName))
        symbolNames = Set(symbolNames.map(Analysis.displayName))
    }

    /// The mentions of one page that the analysis cannot confirm, each with the reason.
    public func problems(markdown: String, pagePath: String, pages: Set<String>, anchors: [String: Set<String>]? = nil) -> [String] {
        var out: [String] = []
        var inFence = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                inFence.toggle()
                continue
            }
            if inFence || line.hasPrefix(">") { continue }
            // Most lines hold no code span and no link: a byte scan spares them the character-level reading.
            let spans = line.utf8.contains(UInt8(ascii: "`")) ? PageVerifier.codeSpans(String(line)) : []
            if line.hasPrefix("### ") {
                for span in spans where !symbolNames.contains(span) {
                    out.append("\(pagePath): heading names `\(span)`, which is not a declaration")
                }
            }
            let inTable = line.hasPrefix("|")
            for var span in spans {
                if inTable && span.utf8.contains(UInt8(ascii: "\\")) { span = span.replacingOccurrences(of: "\\|", with: "|") }
                if !isKnown(span) { out.append("\(pagePath): `\(span)` is not in the analysis") }
            }
            guard line.utf8.contains(UInt8(ascii: "]")) else { continue }
            for target in PageVerifier.linkTargets(String(line)) where !target.contains("://") {
                let hash = target.firstIndex(of: "#")
                let file = hash.map { String(target[..<$0]) } ?? target
                let fragment = hash.map { String(target[target.index(after: $0)...]) }
                guard file.hasSuffix(".md") || file.hasSuffix(".html") || (file.isEmpty && fragment != nil) else { continue }
                let resolved = file.isEmpty ? pagePath : RepoPath.normalise(RepoPath.join(RepoPath.dir(pagePath), file))
                guard let page = resolved, pages.contains(page) else {
                    out.append("\(pagePath): link to \(target), which was not written")
                    continue
                }
                // Anchors of Markdown pages are their headings' slugs; a source view's are its lines.
                if let fragment, let anchors, page.hasSuffix(".md"), !(anchors[page]?.contains(fragment) ?? false) {
                    out.append("\(pagePath): link to \(target), whose anchor is not on that page")
                } else if let fragment, page.hasPrefix("source/"), !(fragment.hasPrefix("L") && fragment.dropFirst().allSatisfy(\.isNumber)) {
                    out.append("\(pagePath): link to \(target), which is not a line of that file")
                }
            }
        }
        return out
    }

    func isKnown(_ span: String) -> Bool {
        if known.contains(span) || files.contains(span) || symbolNames.contains(span) { return true }
        if let colon = span.lastIndex(of: ":"), span[span.index(after: colon)...].allSatisfy(\.isNumber), colon != span.startIndex {
            return citations.contains(span)
        }
        return false
    }

    /// Inline code spans: a run of backticks up to the next run of the same length.
    static func codeSpans(_ line: String) -> [String] {
        var out: [String] = []
        let chars = Array(line)
        var i = 0
        while i < chars.count {
            if chars[i] == "\\" { i += 2; continue }
            guard chars[i] == "`" else { i += 1; continue }
            if let (span, end) = MD.codeSpan(at: i, in: chars) {
                out.append(span)
                i = end
            } else {
                while i < chars.count, chars[i] == "`" { i += 1 }
            }
        }
        return out
    }

    /// The targets of `[text](target)` and `![alt](target)` links.
    static func linkTargets(_ line: String) -> [String] {
        var out: [String] = []
        var rest = Substring(line)
        while let r = rest.range(of: "](") {
            let tail = rest[r.upperBound...]
            guard let close = tail.firstIndex(of: ")") else { break }
            out.append(String(tail[..<close]))
            rest = tail[close...]
        }
        return out
    }
}

extension DocsOutput {
    /// Every Markdown page written into the folder, checked against the analysis; the problems found.
    public func verify(_ a: Analysis, pages: [String], extra: [String]) -> [(page: String, problem: String)] {
        let verifier = PageVerifier(a, extra: extra)
        let written = Set(pages)
        var out: [(String, String)] = []
        var texts: [String: String] = [:]
        for p in pages where p.hasSuffix(".md") { texts[p] = try? String(contentsOfFile: "\(dir)/\(p)", encoding: .utf8) }
        let anchors = texts.mapValues { Set(Site.headings($0).map(\.slug)) }
        for p in pages where p.hasSuffix(".md") {
            guard let text = texts[p] else { continue }
            for problem in verifier.problems(markdown: text, pagePath: p, pages: written, anchors: anchors) { out.append((p, problem)) }
        }
        return out
    }
}
