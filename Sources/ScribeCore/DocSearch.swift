/// Search over a documentation set's search index (`search.json`): the same ranking as the site's own
/// script, so the API and the browser find the same entries in the same order.
public enum DocSearch {
    /// The entries matching `query` (case-insensitive), best first: exact name, name prefix, name substring,
    /// then a word of the doc comment; symbols before pages and headings at equal rank.
    public static func search(_ index: JSONValue, query: String, limit: Int) -> [JSONValue] {
        let q = query.lowercased().trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty, case .array(let entries)? = index["entries"] else { return [] }
        var scored: [(Int, Int, JSONValue)] = []
        for (i, e) in entries.enumerated() {
            let symbol = e["kind"]?.stringValue == "symbol"
            let name = ((symbol ? e["qualified_name"] : e["title"])?.stringValue ?? "").lowercased()
            let short = (e["name"]?.stringValue ?? "").lowercased()
            var s = 0
            if name == q || short == q { s = 100 } else if name.hasPrefix(q) { s = 60 } else if name.contains(q) { s = 40 } else if (e["text"]?.stringValue ?? "").lowercased().contains(q) {
                s = 10
            }
            if s > 0 { scored.append((s + (symbol ? 1 : 0), i, e)) }
        }
        scored.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        return scored.prefix(limit).map(\.2)
    }
}

extension String {
    fileprivate func trimmingCharacters(in _: Whitespace) -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }

    fileprivate enum Whitespace { case whitespaces }
}
