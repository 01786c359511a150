extension BuiltinGenerator {
    /// A doc comment as a page shows it: the summary quoted, then its parameters, return value, errors and
    /// deprecation as lists rather than raw markup.
    static func renderDoc(_ doc: String) -> String {
        let m = DocMarkup.parse(doc)
        guard m.isStructured else { return MD.quote(doc) + "\n\n" }
        // Every part is the source's own words, so every part stays inside the quote: the page check reads
        // quoted lines as the doc comment, not as mentions the analysis must confirm.
        var parts: [String] = []
        if !m.summary.isEmpty { parts.append(m.summary) }
        if let d = m.deprecated { parts.append("**Deprecated.** \(MD.cell(d))") }
        if !m.params.isEmpty {
            parts.append("**Parameters**\n\n" + m.params.map { "- `\($0.name)`" + ($0.text.isEmpty ? "" : " — \(MD.cell($0.text))") }.joined(separator: "\n"))
        }
        if let r = m.returns, !r.isEmpty { parts.append("**Returns** \(MD.cell(r))") }
        if !m.throwsText.isEmpty { parts.append("**Throws**\n\n" + m.throwsText.map { "- \(MD.cell($0))" }.joined(separator: "\n")) }
        // Scribe's own words stay outside the quote.
        let note = m.inherits && m.summary.isEmpty ? "_Documented where it is first declared._\n\n" : ""
        return (parts.isEmpty ? "" : MD.quote(parts.joined(separator: "\n\n")) + "\n\n") + note
    }

    /// The first line of a doc's summary, for tables.
    static func summaryLine(_ doc: String) -> String {
        let m = DocMarkup.parse(doc)
        let text = m.summary.isEmpty ? doc : m.summary
        return String(text.split(separator: "\n").first ?? "")
    }
}
