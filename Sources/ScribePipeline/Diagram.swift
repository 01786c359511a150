/// Dependency diagrams: Mermaid for Markdown (renders on GitHub), DOT for Graphviz's SVG.
enum Diagram {
    /// A node label that stays inside its quotes and its line: no quote, backslash, backtick (a Mermaid
    /// block sits in a Markdown fence) or control character survives.
    static func label(_ s: String) -> String {
        Analysis.displayName(s).replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "\\", with: "/")
            .replacingOccurrences(of: "`", with: "'")
    }

    static func nodes(_ edges: [Analysis.Dependency]) -> [String] {
        Array(Set(edges.flatMap { [$0.from, $0.to] })).sorted()
    }

    static func mermaid(edges: [Analysis.Dependency]) -> String {
        let ns = nodes(edges)
        let id = Dictionary(uniqueKeysWithValues: ns.enumerated().map { ($1, "m\($0)") })
        var out = "```mermaid\ngraph LR\n"
        for n in ns { out += "  \(id[n]!)[\"\(label(n))\"]\n" }
        for e in edges { out += "  \(id[e.from]!) --> \(id[e.to]!)\n" }
        return out + "```\n"
    }

    static func dot(edges: [Analysis.Dependency], title: String) -> String {
        let ns = nodes(edges)
        var out = "digraph \"\(label(title))\" {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];\n"
        for n in ns { out += "  \"\(label(n))\";\n" }
        for e in edges { out += "  \"\(label(e.from))\" -> \"\(label(e.to))\";\n" }
        return out + "}\n"
    }
}
