import Foundation
import ScribeStore

extension DocsOutput {
    /// Writes a data object's page in place of a code module's; false when `m` is not a data object.
    func writeDataObject(_ m: Analysis.Module, _ a: Analysis) throws -> Bool {
        guard let o = a.data.object(m.path) else { return false }
        let pages = DataPages(catalog: a.data, documented: generator.documentedModules)
        try DocsOutput.write(pages.page(o, m), to: modulePagePath(m))
        return true
    }

    /// The lineage overview (`data.md`) and its diagram's Graphviz source, when the repository has data objects.
    func writeDataOverview(_ a: Analysis, modules: [Analysis.Module], title: String) throws
        -> (page: LeaseStore.PageRecord, dot: (String, String)?)?
    {
        guard !a.data.isEmpty else { return nil }
        let pages = DataPages(catalog: a.data, documented: Set(modules.map(\.path)))
        try DocsOutput.write(pages.overview(title: title), to: "\(dir)/\(DataPages.overviewPath)")
        let record = LeaseStore.PageRecord(
            path: DataPages.overviewPath, title: "Data lineage", kind: "overview", module: nil, contentType: "text/markdown; charset=utf-8")
        return (record, a.data.edges.isEmpty ? nil : (DataPages.diagramName, pages.dot(title: title)))
    }
}
