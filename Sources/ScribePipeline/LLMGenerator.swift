import Foundation

/// Prompts made of the analysis' facts, and answers checked against them: every name or path an answer
/// puts in backticks must exist in the analysis, or it is flagged ⚠️ in the page and counted.
public struct LLMGenerator: Sendable {
    public static let layers = ["summary", "responsibilities", "usage"]
    static let layerTitles = ["summary": "Summary", "responsibilities": "Responsibilities", "usage": "Usage"]
    /// Characters of facts per request (about a quarter of that in tokens).
    public var factBudgetChars = 12_000

    public init() {}

    public static let system = """
        You write documentation for one module of a code repository. Use ONLY the facts given: never describe \
        behaviour, names or files that the facts do not contain. Write names of symbols, files and modules in \
        backticks exactly as the facts spell them. If the facts do not say something, leave it out. Answer in \
        Markdown, without headings.
        """

    static func task(_ layer: String) -> String {
        switch layer {
        case "summary": return "Write a short summary (2 to 4 sentences) of what this module is for."
        case "responsibilities": return "List the module's main responsibilities as bullet points, naming the symbols that carry each."
        default: return "Explain how other code uses this module: its entry points and the modules that depend on it."
        }
    }

    /// The facts of a module, most important first, cut to the budget.
    public func facts(_ m: Analysis.Module, _ a: Analysis) -> String {
        if let o = a.data.object(m.path) { return DataLLM.facts(o, a, budget: factBudgetChars) }
        // The files and declarations the built-in page lists: its source files and what it cites, its public surface.
        let files = BuiltinGenerator.listedFiles(m, a).listed
        var out = "Module: `\(m.name)`\nFiles: " + files.prefix(60).map { "`\($0.path)`" }.joined(separator: ", ") + "\n"
        if let p = BuiltinGenerator.purpose(m, a) { out += "Its own description (from `\(p.source)`): \(p.text)\n" }
        let uses = a.uses(m.path).map { "`\($0.to)`" }
        let usedBy = a.usedBy(m.path).map { "`\($0.from)`" }
        if !uses.isEmpty { out += "Uses modules: \(uses.joined(separator: ", "))\n" }
        if !usedBy.isEmpty { out += "Used by modules: \(usedBy.joined(separator: ", "))\n" }
        out += "Public declarations:\n"
        for s in a.publicSymbols(in: m.path) {
            var line = "- \(s.kind) `\(s.qualifiedName)` in `\(s.path)`: `\(BuiltinGenerator.header(s))`"
            if let d = s.doc { line += " — " + d.split(separator: "\n").prefix(3).joined(separator: " ") }
            line += "\n"
            if out.count + line.count > factBudgetChars { out += "- (more declarations omitted)\n"; break }
            out += line
        }
        return out
    }

    public func prompt(_ layer: String, facts: String) -> String {
        "\(facts.hasPrefix(DataLLM.factsPrefix) ? DataLLM.task(layer) : LLMGenerator.task(layer))\n\nFacts:\n\(facts)"
    }

    /// Every name the analysis knows: symbols (plain and qualified), file paths and names, module paths.
    public static func vocabulary(_ a: Analysis) -> Set<String> {
        var v = Set<String>()
        for s in a.symbols {
            v.insert(s.name)
            v.insert(s.qualifiedName)
        }
        for f in a.files {
            v.insert(f.path)
            v.insert(CloneTree.lastComponent(f.path))
        }
        for m in a.modules {
            v.insert(m.path)
            v.insert(m.name)
            v.insert(CloneTree.lastComponent(m.path))
        }
        v.formUnion(DataLLM.vocabulary(a))
        return v
    }

    /// Flags backticked names that are not in the vocabulary: returns the annotated text and the unknown names.
    public static func check(_ text: String, vocabulary: Set<String>) -> (String, [String]) {
        var out = ""
        var unknown: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "`") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "`") else {
                out += rest[open...]
                rest = ""
                break
            }
            let name = String(after[..<close])
            out += "`\(name)`"
            if !name.isEmpty, !known(name, vocabulary) {
                out += " ⚠️"
                unknown.append(name)
            }
            rest = after[after.index(after: close)...]
        }
        out += rest
        return (out, unknown)
    }

    static func known(_ raw: String, _ v: Set<String>) -> Bool {
        var name = raw.trimmingCharacters(in: .whitespaces)
        if v.contains(name) { return true }
        // `add()`, `add(a, b)`, `Type.method`, `path:12` are spelled around known names.
        if let paren = name.firstIndex(of: "(") { name = String(name[..<paren]) }
        if let colon = name.lastIndex(of: ":"), name[name.index(after: colon)...].allSatisfy(\.isNumber) { name = String(name[..<colon]) }
        if v.contains(name) { return true }
        if let dot = name.lastIndex(of: "."), v.contains(String(name[name.index(after: dot)...])), v.contains(String(name[..<dot])) { return true }
        return false
    }

    /// The module page: the model's prose (checked), then the built-in, factual reference.
    public static func page(
        _ m: Analysis.Module, _ a: Analysis, sections: [(layer: String, text: String)], unknown: [String], model: String, at: String
    ) -> String {
        let builtin = DataLLM.reference(m, a) ?? BuiltinGenerator().modulePage(m, a).markdown
        let titles = a.data.object(m.path) != nil ? DataLLM.titles : layerTitles
        var md = "# Module `\(m.name)`\n\n"
        md += "_Prose written by `\(model)` on \(at) from the facts of the analysis; every name it uses was checked against the code._\n\n"
        for (layer, text) in sections {
            md += "## \(titles[layer] ?? layer)\n\n\(text.trimmingCharacters(in: .whitespacesAndNewlines))\n\n"
        }
        if !unknown.isEmpty {
            md += "> ⚠️ \(unknown.count) name\(unknown.count == 1 ? "" : "s") in the text above \(unknown.count == 1 ? "is" : "are") not in the code: "
            md += Array(Set(unknown)).sorted().prefix(20).map { "`\($0)`" }.joined(separator: ", ") + "\n\n"
        }
        // The reference part of the built-in page (everything after its title line).
        if let cut = builtin.range(of: "\n## Purpose") ?? builtin.range(of: "\n## Description") { md += "---\n" + builtin[cut.lowerBound...] } else { md += builtin }
        return md
    }

    public static func fallbackPage(_ m: Analysis.Module, _ a: Analysis, reason: String) -> String {
        let builtin = DataLLM.reference(m, a) ?? BuiltinGenerator().modulePage(m, a).markdown
        let note = "\n> ⚠️ The LLM could not document this module (\(reason)); this is the built-in documentation.\n"
        if let firstBreak = builtin.range(of: "\n\n") {
            return String(builtin[..<firstBreak.lowerBound]) + "\n" + note + builtin[firstBreak.lowerBound...]
        }
        return builtin + note
    }
}
