import Foundation

/// Pages for data objects: one per object (columns, descriptions, lineage both ways, a diagram, its SQL) and
/// the lineage overview in layers (sources first). Every name comes from the catalog, with its citation.
struct DataPages {
    let catalog: DataCatalog
    /// The objects that get pages in this job (all when nil): others are named, not linked.
    var documented: Set<String>? = nil

    func link(_ id: String, from depth: Int) -> String {
        guard documented.map({ $0.contains(id) }) ?? true else { return MD.code(id) }
        let up = String(repeating: "../", count: depth)
        return "[\(MD.code(id))](\(up)modules/\(Analysis.pageName(id)).md)"
    }

    func page(_ o: DataCatalog.Object, _ m: Analysis.Module) -> String {
        // `dbt model` keeps dbt's own spelling; `table` reads `Table`.
        let title = o.kind.hasPrefix("dbt") ? o.kind : o.kind.prefix(1).uppercased() + o.kind.dropFirst()
        var md = "# \(title) \(MD.code(o.name))\n\n"
        md += "_Defined at \(MD.code(o.definedAt.text))"
        if let mat = o.materialization {
            md += " · materialized as \(MD.code(mat))"
            if let at = o.materializationSource { md += " (\(MD.code(at.text)))" }
        }
        md += "_\n\n## Description\n\n"
        if let d = o.description, let at = o.descriptionSource {
            md += MD.quote(d) + "\n\n— from \(MD.code(at.text))\n\n"
        } else {
            md += "\(BuiltinGenerator.notDocumented)\n\n"
        }
        if let c = catalog.coverage(o.id) {
            md += "## Coverage\n\n\(c.text): description \(c.packageDoc ? "present" : "missing"), "
            let cols = o.columns.filter { $0.description != nil }.count
            md += "\(cols) of \(o.columns.count) column\(o.columns.count == 1 ? "" : "s") described.\n\n"
        }
        md += "## Columns\n\n"
        if o.columns.isEmpty {
            md += "No columns are declared in the files for this object.\n\n"
        } else {
            md += "| Column | Type | Constraints | Tests | Declared |\n| --- | --- | --- | --- | --- |\n"
            for c in o.columns {
                md += "| \(MD.codeCell(c.name)) | \(c.type.map(MD.codeCell) ?? "—") | "
                md += (c.constraints.isEmpty ? "—" : c.constraints.map(MD.codeCell).joined(separator: ", ")) + " | "
                md += (c.tests.isEmpty ? "—" : c.tests.map(MD.codeCell).joined(separator: ", ")) + " | "
                md += (c.declared.map { MD.codeCell($0.text) } ?? "—") + " |\n"
            }
            md += "\n"
            let described = o.columns.filter { $0.description != nil }
            if !described.isEmpty {
                md += "### Column descriptions\n\n"
                for c in described {
                    md += "- \(MD.code(c.name)) (\(MD.code(c.descriptionSource!.text))):\n\n" + MD.quote(c.description!) + "\n\n"
                }
            }
        }
        if !o.keys.isEmpty { md += "## Keys and constraints\n\n" + o.keys.map { "- \(MD.code($0))\n" }.joined() + "\n" }
        if !o.tests.isEmpty { md += "## Tests\n\n" + o.tests.map { "- \(MD.code($0))\n" }.joined() + "\n" }
        md += lineage(o, m)
        if let sql = o.sql {
            md += "## SQL\n\nFrom \(MD.code(o.definedAt.path)):\n\n" + MD.fenced(sql.trimmingCharacters(in: .newlines), language: "sql") + "\n"
        }
        md += "## Files\n\n" + o.files.map { "- \(MD.code($0))\n" }.joined() + "\n"
        md += "[← Overview](../index.md) · [Data lineage](../\(DataPages.overviewPath))\n"
        return md
    }

    func lineage(_ o: DataCatalog.Object, _ m: Analysis.Module) -> String {
        let up = catalog.upstream(o.id)
        let down = catalog.downstream(o.id)
        var md = "## Lineage\n\n"
        if up.isEmpty && down.isEmpty && o.notes.isEmpty {
            return md + "No lineage to or from this object was found in the files.\n\n"
        }
        if !up.isEmpty {
            md += "**Upstream** (this object reads or references them)\n\n"
            md += up.map { "- \(link($0.to, from: 1)) — \($0.kind) \(MD.code($0.text)) at \(MD.code($0.at.text))\n" }.joined() + "\n"
        }
        if !down.isEmpty {
            md += "**Downstream** (they read or reference this object)\n\n"
            md += down.map { "- \(link($0.from, from: 1)) — \($0.kind) \(MD.code($0.text)) at \(MD.code($0.at.text))\n" }.joined() + "\n"
        }
        for n in o.notes { md += "⚠️ \(n.text) (\(MD.code(n.at.text))).\n\n" }
        let edges = DataAnalysis.dependencies(DataCatalog(objects: catalog.objects, edges: up + down))
        if !edges.isEmpty {
            md += "Arrows point from an object to what it reads or references.\n\n" + Diagram.mermaid(edges: edges) + "\n"
            md += "![Lineage of \(MD.cell(o.name))](../diagrams/\(m.pageName).svg)\n\n"
        }
        return md
    }

    static let overviewPath = "data.md"

    /// The whole lineage graph in layers: objects with nothing upstream first (sources, base tables), then
    /// each object one layer after the deepest object it reads.
    func overview(title: String) -> String {
        var md = "# Data lineage of \(MD.cell(title))\n\n"
        let layers = catalog.layers()
        let described = catalog.objects.filter { $0.description != nil }.count
        let columns = catalog.objects.flatMap(\.columns)
        md += "\(catalog.objects.count) data object\(catalog.objects.count == 1 ? "" : "s"), \(catalog.edges.count) lineage edge"
        md += "\(catalog.edges.count == 1 ? "" : "s"); \(described) of \(catalog.objects.count) objects and "
        md += "\(columns.filter { $0.description != nil }.count) of \(columns.count) columns described.\n\n"
        md += "## Layers\n\n"
        for (i, layer) in layers.enumerated() {
            md += "### Layer \(i + 1)\(i == 0 ? " (nothing upstream found in the files)" : "")\n\n"
            md += "| Object | Kind | Upstream | Defined at |\n| --- | --- | --- | --- |\n"
            for o in layer {
                let up = catalog.upstream(o.id).map { MD.codeCell($0.to) }
                md += "| \(link(o.id, from: 0).replacingOccurrences(of: "|", with: "\\|")) | \(MD.cell(o.kind)) | "
                md += (up.isEmpty ? "—" : up.joined(separator: ", ")) + " | \(MD.codeCell(o.definedAt.text)) |\n"
            }
            md += "\n"
        }
        if !catalog.edges.isEmpty {
            md += "## Graph\n\nArrows follow the data, from upstream to downstream.\n\n" + mermaidLayers(layers) + "\n"
            md += "![Data lineage](diagrams/\(DataPages.diagramName).svg)\n\n"
        }
        let notes = catalog.objects.flatMap { o in o.notes.map { (o, $0) } }
        if !notes.isEmpty {
            md += "## Not settled from the files\n\n"
            for (o, n) in notes { md += "- \(MD.code(o.id)): \(n.text) (\(MD.code(n.at.text)))\n" }
            md += "\n"
        }
        md += "[← Overview](index.md)\n"
        return md
    }

    static let diagramName = "data-lineage"

    /// Mermaid with one subgraph per layer, left to right.
    func mermaidLayers(_ layers: [[DataCatalog.Object]]) -> String {
        var id: [String: String] = [:]
        var out = "```mermaid\ngraph LR\n"
        for (i, layer) in layers.enumerated() {
            out += "  subgraph L\(i + 1)[\"Layer \(i + 1)\"]\n"
            for o in layer {
                id[o.id] = "d\(id.count)"
                out += "    \(id[o.id]!)[\"\(Diagram.label(o.name))\"]\n"
            }
            out += "  end\n"
        }
        for e in catalog.edges { if let a = id[e.to], let b = id[e.from] { out += "  \(a) --> \(b)\n" } }
        return out + "```\n"
    }

    /// Graphviz: one rank per layer, data flowing left to right (upstream → downstream).
    func dot(title: String) -> String {
        let layers = catalog.layers()
        var out = "digraph \"\(Diagram.label(title))\" {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];\n"
        for layer in layers {
            out += "  { rank=same; " + layer.map { "\"\(Diagram.label($0.id))\";" }.joined(separator: " ") + " }\n"
        }
        for e in catalog.edges { out += "  \"\(Diagram.label(e.to))\" -> \"\(Diagram.label(e.from))\";\n" }
        return out + "}\n"
    }
}

extension DataPages {
    /// The overview's pointer to the lineage page; empty without data objects.
    static func overviewSection(_ c: DataCatalog) -> String {
        guard !c.isEmpty else { return "" }
        return "## Data lineage\n\n\(c.objects.count) data object\(c.objects.count == 1 ? "" : "s") and \(c.edges.count) lineage edge"
            + "\(c.edges.count == 1 ? "" : "s"), in layers: [Data lineage](\(overviewPath)).\n\n"
    }
}
