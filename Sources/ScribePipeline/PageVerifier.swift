import Foundation

/// Checks what a written page names against the analysis before a job publishes it: every inline code span
/// outside code blocks and quoted doc comments must be a known file, module, symbol, declaration header,
/// import as written or `file:line` that cites a declaration, import or use; every `###` heading a symbol;
/// every link to a page a page that was written. Quoted doc comments and code blocks are the source's own
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
        for s in a.symbols {
            symbolNames.insert(s.qualifiedName)
            symbolNames.insert(s.name)
            known.insert(BuiltinGenerator.header(s))
            citations.insert(Analysis.displayName("\(s.path):\(s.line)"))
        }
        for imp in a.imports {
            known.insert(imp.target.replacingOccurrences(of: "\n", with: " "))
            known.insert(imp.target)  // a statement over several lines, as `MD.code` escapes it
            citations.insert(Analysis.displayName("\(imp.path):\(imp.line)"))
        }
        for (_, uses) in a.examples { for u in uses { citations.insert(Analysis.displayName("\(u.path):\(u.line)")) } }
        for e in extra { known.insert(e) }
        let data = DataAnalysis.mentions(a.data)
        known.formUnion(data.names)
        citations.formUnion(data.citations)
        known = Set(known.map(Analysis.displayName))
        symbolNames = Set(symbolNames.map(Analysis.displayName))
    }

    /// The mentions of one page that the analysis cannot confirm, each with the reason.
    public func problems(markdown: String, pagePath: String, pages: Set<String>) -> [String] {
        var out: [String] = []
        var inFence = false
        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                inFence.toggle()
                continue
            }
            if inFence || line.hasPrefix(">") { continue }
            if line.hasPrefix("### ") {
                for span in PageVerifier.codeSpans(line) where !symbolNames.contains(span) {
                    out.append("\(pagePath): heading names `\(span)`, which is not a declaration")
                }
            }
            let inTable = line.hasPrefix("|")
            for var span in PageVerifier.codeSpans(line) {
                if inTable { span = span.replacingOccurrences(of: "\\|", with: "|") }
                if !isKnown(span) { out.append("\(pagePath): `\(span)` is not in the analysis") }
            }
            for target in PageVerifier.linkTargets(line) where target.hasSuffix(".md") && !target.contains("://") {
                let resolved = RepoPath.normalise(RepoPath.join(RepoPath.dir(pagePath), target))
                if resolved.map({ !pages.contains($0) }) ?? true { out.append("\(pagePath): link to \(target), which was not written") }
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
            var n = 0
            while i + n < chars.count, chars[i + n] == "`" { n += 1 }
            var j = i + n
            var closed = false
            while j < chars.count {
                if chars[j] == "`" {
                    var m = 0
                    while j + m < chars.count, chars[j + m] == "`" { m += 1 }
                    if m == n {
                        // CommonMark strips one space on each side when both are there (MD.code pads spans
                        // that start or end with a backtick).
                        var span = String(chars[(i + n)..<j])
                        if span.count >= 2, span.hasPrefix(" "), span.hasSuffix(" "), span.contains(where: { $0 != " " }) {
                            span = String(span.dropFirst().dropLast())
                        }
                        out.append(span)
                        i = j + m
                        closed = true
                        break
                    }
                    j += m
                } else {
                    j += 1
                }
            }
            if !closed { i += n }
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
        for p in pages where p.hasSuffix(".md") {
            guard let text = try? String(contentsOfFile: "\(dir)/\(p)", encoding: .utf8) else { continue }
            for problem in verifier.problems(markdown: text, pagePath: p, pages: written) { out.append((p, problem)) }
        }
        return out
    }
}
