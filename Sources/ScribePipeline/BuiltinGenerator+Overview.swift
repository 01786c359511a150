import Foundation

/// The overview's onboarding sections: how to install, build, test and run the project, its entry points,
/// HTTP routes and environment variables (each cited), where to start reading and the module map in layers.
extension BuiltinGenerator {
    func onboarding(_ a: Analysis, documented: [Analysis.Module]) -> String {
        factSections(a.facts) + startReading(a, documented: documented)
    }

    /// Install/build/test/run commands, entry points, HTTP routes and environment variables, each cited; the
    /// overview shows the repository's, a module page its own.
    func factSections(_ f: ProjectFacts) -> String {
        var md = ""
        func cited(_ x: ProjectFacts.Fact) -> String { cite(x.path, x.line) }
        func citedCell(_ x: ProjectFacts.Fact) -> String { cite(x.path, x.line, cell: true) }
        if !f.commands.isEmpty {
            md += "## Install, build, test and run\n\n"
            for c in f.commands { md += "- \(MD.code(c.text)) — \(MD.cell(c.detail ?? "")), \(cited(c))\n" }
            md += "\n"
        }
        if !f.entryPoints.isEmpty {
            md += "## Entry points\n\n"
            for e in f.entryPoints { md += "- \(MD.code(e.text)) — \(MD.cell(e.detail ?? "")), \(cited(e))\n" }
            md += "\n"
        }
        if !f.routes.isEmpty {
            md += "## HTTP routes\n\n| Method | Path | Declared at |\n| --- | --- | --- |\n"
            for r in f.routes { md += "| \(MD.cell(r.detail ?? "ANY")) | \(MD.codeCell(r.text)) | \(citedCell(r)) |\n" }
            md += "\n"
        }
        if !f.environment.isEmpty {
            md += "## Environment variables\n\n| Variable | Default | Read at |\n| --- | --- | --- |\n"
            for e in f.environment { md += "| \(MD.codeCell(e.text)) | \(e.detail.map(MD.codeCell) ?? "none in the source") | \(citedCell(e)) |\n" }
            md += "\n"
        }
        return md
    }

    /// Where to start reading (the modules most imported) and the module map in layers.
    func startReading(_ a: Analysis, documented: [Analysis.Module]) -> String {
        var md = ""
        let shown = Set(documented.map(\.path))
        let edges = a.dependencies.filter { shown.contains($0.from) && shown.contains($0.to) }
        if !edges.isEmpty {
            // The modules most depended on are the vocabulary the others are written in.
            var users: [String: Set<String>] = [:]
            for e in edges where e.from != e.to { users[e.to, default: []].insert(e.from) }
            let ranked = users.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }.prefix(5)
            md += "## Where to start reading\n\nThe modules that most others import:\n\n"
            for (path, us) in ranked {
                md += "- [\(MD.code(Analysis.displayName(path)))](modules/\(Analysis.pageName(path)).md) — imported by \(us.count) module\(us.count == 1 ? "" : "s")\n"
            }
            md += "\n## Module layers\n\nEach module sits one layer above the highest module it imports; layer 0 imports none of the others.\n\n"
            let layers = Self.layers(documented.map(\.path), edges)
            for (i, layer) in layers.enumerated() {
                md += "- Layer \(i): " + layer.map { "[\(MD.code(Analysis.displayName($0)))](modules/\(Analysis.pageName($0)).md)" }.joined(separator: ", ") + "\n"
            }
            md += "\n"
        }
        return md
    }

    /// Longest-path layering of the import graph; modules on a cycle share the layer where the walk stops.
    static func layers(_ modules: [String], _ edges: [Analysis.Dependency]) -> [[String]] {
        var uses: [String: Set<String>] = [:]
        for e in edges where e.from != e.to { uses[e.from, default: []].insert(e.to) }
        var level = Dictionary(uniqueKeysWithValues: modules.map { ($0, 0) })
        for _ in 0..<modules.count {
            var changed = false
            for m in modules {
                let want = (uses[m] ?? []).compactMap { level[$0] }.map { $0 + 1 }.max() ?? 0
                if want > level[m]!, want < modules.count {
                    level[m] = want
                    changed = true
                }
            }
            if !changed { break }
        }
        let top = level.values.max() ?? 0
        return (0...top).map { l in modules.filter { level[$0] == l } }.filter { !$0.isEmpty }
    }
}
