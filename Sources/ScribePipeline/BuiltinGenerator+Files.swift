import Foundation

extension BuiltinGenerator {
    /// The files a module's page lists: its source files (`Analysis.Role.source`), and of the other files in
    /// its folder those the page cites: its README, its package doc, the manifest or build file its commands
    /// and entry points come from. The rest (tool configuration, other build files, prose, data) is counted.
    static func listedFiles(_ m: Analysis.Module, _ a: Analysis) -> (listed: [Analysis.File], others: Int) {
        var cited = Set(a.facts.scoped(to: m, a).all.map(\.path))
        if let p = m.readmePath { cited.insert(p) }
        if let d = a.moduleDocs[m.path] { cited.insert(d.path) }
        let listed = m.files.filter { $0.role == .source || cited.contains($0.path) }
        return (listed, m.files.count - listed.count)
    }
}
