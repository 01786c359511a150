extension BuiltinGenerator {
    /// A doc comment as a page shows it: the summary quoted, then its parameters, return value, errors and
    /// deprecation as lists rather than raw markup.
    static func renderDoc(_ doc: String) -> String {
        let m = DocMarkup.parse(doc)
        guard m.isStructured else { return MD.quote(doc) + "\n\n" }
        var md = m.summary.isEmpty ? "" : MD.quote(m.summary) + "\n\n"
        if let d = m.deprecated { md += "**Deprecated.** \(d.isEmpty ? "" : MD.cell(d))\n\n" }
        if m.inherits && m.summary.isEmpty { md += "_Documented where it is first declared._\n\n" }
        if !m.params.isEmpty {
            md += "**Parameters**\n\n" + m.params.map { "- `\($0.name)` — \(MD.cell($0.text))\n" }.joined() + "\n"
        }
        if let r = m.returns { md += "**Returns** \(MD.cell(r))\n\n" }
        if !m.throwsText.isEmpty { md += "**Throws**\n\n" + m.throwsText.map { "- \(MD.cell($0))\n" }.joined() + "\n" }
        return md
    }

    /// The first line of a doc's summary, for tables.
    static func summaryLine(_ doc: String) -> String {
        let m = DocMarkup.parse(doc)
        let text = m.summary.isEmpty ? doc : m.summary
        return String(text.split(separator: "\n").first ?? "")
    }
}
