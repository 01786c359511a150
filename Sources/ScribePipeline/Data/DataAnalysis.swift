import Foundation

/// Finds a repository's data objects (dbt projects by their `dbt_project.yml`, SQL schemas elsewhere) and
/// turns them into the analysis' modules and dependencies: one job object per data object.
enum DataAnalysis {
    /// Folders whose SQL is not a schema: dbt's macros, tests and analyses are Jinja templates.
    static func isSchemaFile(_ f: Analysis.File, dbtRoots: [String]) -> Bool {
        guard f.language == "SQL", f.role == .other || f.role == .source else { return false }
        return !dbtRoots.contains { $0.isEmpty || f.path.hasPrefix($0 + "/") }
    }

    static func analyze(_ files: [Analysis.File], root: String, parseTool: String?, read: (String) -> String?) throws -> DataCatalog {
        var catalog = DataCatalog()
        let paths = files.map(\.path)
        let roots = DbtProject.find(paths)
        for r in roots {
            let project = DbtProject.load(root: r, read: read)
            project.read(paths.filter(project.owns), read: read, into: &catalog)
        }
        let schemaFiles = files.filter { isSchemaFile($0, dbtRoots: roots) }.map(\.path)
        if let tool = parseTool, !schemaFiles.isEmpty {
            try SchemaReader(root: root, tool: tool).read(schemaFiles, into: &catalog)
        }
        return catalog
    }

    /// One module per data object, named by its id; an id that a code module already has is left out.
    static func modules(_ c: DataCatalog, files: [Analysis.File], existing: Set<String>) -> [Analysis.Module] {
        let byPath = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var seen = existing
        var out: [Analysis.Module] = []
        for o in c.objects where seen.insert(o.id).inserted {
            var m = Analysis.Module(path: o.id, files: o.files.compactMap { byPath[$0] }, readme: nil, readmePath: nil)
            m.kind = o.kind
            m.qualifiedName = o.name
            out.append(m)
        }
        return out
    }

    /// Lineage as module dependencies, each citing the clause or call that shows it.
    static func dependencies(_ c: DataCatalog) -> [Analysis.Dependency] {
        var out: [Analysis.Dependency] = []
        for e in c.edges {
            let evidence = Import(path: e.at.path, line: e.at.line, target: e.text, kind: e.kind)
            if let i = out.firstIndex(where: { $0.from == e.from && $0.to == e.to }) {
                out[i].evidence.append(evidence)
            } else {
                out.append(Analysis.Dependency(from: e.from, to: e.to, evidence: [evidence]))
            }
        }
        return out
    }

    /// Everything a data page may name in code spans, and the `file:line` citations it may give.
    static func mentions(_ c: DataCatalog) -> (names: Set<String>, citations: Set<String>) {
        var names = Set<String>()
        var citations = Set<String>()
        for o in c.objects {
            names.formUnion([o.id, o.name, o.kind] + o.keys + o.tests + o.files)
            if let m = o.materialization { names.insert(m) }
            for at in [o.definedAt, o.descriptionSource, o.materializationSource].compactMap({ $0 }) { citations.insert(at.text) }
            for n in o.notes {
                citations.insert(n.at.text)
                names.formUnion(PageVerifier.codeSpans(n.text))
            }
            for col in o.columns {
                names.formUnion([col.name] + col.constraints + col.tests)
                if let t = col.type { names.insert(t) }
                for at in [col.declared, col.descriptionSource].compactMap({ $0 }) { citations.insert(at.text) }
            }
        }
        for e in c.edges {
            names.insert(e.text)
            citations.insert(e.at.text)
        }
        return (names, citations)
    }
}
