import Foundation

extension Analyzer {
    /// Data objects join the analysis as modules of their own, their lineage as dependencies, their
    /// descriptions as the modules' documentation.
    func addDataObjects(_ a: inout Analysis, root: String, read: (String) -> String?) throws {
        let catalog = try DataAnalysis.analyze(a.files, root: root, parseTool: indexSymbols ? tools.parse : nil, read: read)
        guard !catalog.isEmpty else { return }
        let added = DataAnalysis.modules(catalog, files: a.files, existing: Set(a.modules.map(\.path)))
        let ids = Set(added.map(\.path))
        a.data = DataCatalog(
            objects: catalog.objects.filter { ids.contains($0.id) }, edges: catalog.edges.filter { ids.contains($0.from) && ids.contains($0.to) })
        a.modules = (a.modules + added).sorted { $0.path < $1.path }
        a.dependencies += DataAnalysis.dependencies(a.data)
        for o in a.data.objects {
            if let d = o.description, let at = o.descriptionSource { a.moduleDocs[o.id] = (d, at.path) }
        }
    }
}
