/// What the `llm` generator asks about a data object, in three layers (what it holds, how it is built, how to
/// use it), from its SQL, columns and lineage; and the names its answers may use.
enum DataLLM {
    static let factsPrefix = "Data object: "
    static let titles = ["summary": "What it holds", "responsibilities": "How it is built", "usage": "How to use it"]

    static func task(_ layer: String) -> String {
        let what = "The facts describe a data object (a table, view or dbt model), not a code module."
        switch layer {
        case "summary": return "\(what) Write a short summary (2 to 4 sentences) of what it holds: one row per what, and its main columns."
        case "responsibilities":
            return "\(what) Describe its responsibilities in the lineage, that is how it is built: the objects it reads (upstream), "
                + "its joins and filters as its SQL states them, its materialization."
        default:
            return "\(what) Describe its usage: its keys, the columns to join or filter on, its tests, and the objects that read it "
                + "(downstream)."
        }
    }

    /// The object's facts, most important first, cut to the budget (the SQL last).
    static func facts(_ o: DataCatalog.Object, _ a: Analysis, budget: Int) -> String {
        var out = "\(factsPrefix)`\(o.name)` (\(o.kind), `\(o.id)`, defined in `\(o.definedAt.path)`)\n"
        if let d = o.description { out += "Its own description: \(d)\n" }
        if let m = o.materialization { out += "Materialized as: \(m)\n" }
        if !o.keys.isEmpty { out += "Keys: " + o.keys.map { "`\($0)`" }.joined(separator: ", ") + "\n" }
        if !o.tests.isEmpty { out += "Tests: " + o.tests.joined(separator: ", ") + "\n" }
        out += "Columns:\n"
        for c in o.columns {
            var line = "- `\(c.name)`"
            if let t = c.type { line += " \(t)" }
            if !c.constraints.isEmpty { line += " (" + c.constraints.joined(separator: ", ") + ")" }
            if !c.tests.isEmpty { line += " tests: " + c.tests.joined(separator: ", ") }
            if let d = c.description { line += " — \(d)" }
            out += line + "\n"
        }
        if o.columns.isEmpty { out += "- (none declared in the files)\n" }
        let up = a.data.upstream(o.id), down = a.data.downstream(o.id)
        if !up.isEmpty { out += "Upstream (reads): " + up.map { "`\(a.data.object($0.to)?.name ?? $0.to)` via \($0.kind)" }.joined(separator: ", ") + "\n" }
        if !down.isEmpty { out += "Downstream (read by): " + down.map { "`\(a.data.object($0.from)?.name ?? $0.from)`" }.joined(separator: ", ") + "\n" }
        for n in o.notes { out += "Note: \(n.text)\n" }
        if let sql = o.sql, out.count < budget {
            out += "SQL:\n" + String(sql.prefix(budget - out.count)) + "\n"
        }
        return out
    }

    /// Object names, ids, columns, types and files of every data object.
    static func vocabulary(_ a: Analysis) -> Set<String> {
        var v = Set<String>()
        for o in a.data.objects {
            v.formUnion([o.id, o.name] + o.files)
            if let last = o.name.split(separator: ".").last { v.insert(String(last)) }
            for c in o.columns {
                v.insert(c.name)
                v.insert("\(o.name).\(c.name)")
                if let t = c.type { v.insert(t) }
            }
        }
        return v
    }

    /// The factual page a data object's prose is put above.
    static func reference(_ m: Analysis.Module, _ a: Analysis) -> String? {
        guard let o = a.data.object(m.path) else { return nil }
        return DataPages(catalog: a.data).page(o, m)
    }
}
