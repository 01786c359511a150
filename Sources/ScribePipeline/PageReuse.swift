import Foundation
import ScribeStore

/// The pages of a repository's current documentation that a job keeps instead of writing them again: a module
/// whose fingerprint did not change (or every module, with `skip_existing`) gets its current page and the parts
/// its reference was split into, read through the job's `PipelineSource`, so the documentation may have been
/// written on another host.
struct PageReuse {
    let source: any PipelineSource
    let repositoryID: String
    let out: DocsOutput

    /// Whether a module's current page may stand for this run.
    static func mayKeep(_ previous: JobStore.PreviousObject?, fingerprint: String?, skipExisting: Bool) -> Bool {
        guard let previous else { return false }
        return skipExisting || (previous.fingerprint != nil && previous.fingerprint == fingerprint)
    }

    /// Copies the module's current page, and its parts (`modules/<page>/part-N.md`), into the output folder;
    /// false, with nothing written, when the current documentation has no page for it.
    func copy(_ m: Analysis.Module) throws -> Bool {
        guard let page = try source.currentPage(repositoryID: repositoryID, path: m.pagePath) else { return false }
        let target = out.modulePagePath(m)
        try FileManager.default.createDirectory(atPath: CloneTree.parent(target), withIntermediateDirectories: true)
        try Data(page).write(to: URL(fileURLWithPath: target), options: .atomic)
        try? FileManager.default.removeItem(atPath: out.partsDir(m))
        var n = 1
        while let part = try source.currentPage(repositoryID: repositoryID, path: BuiltinGenerator.partPath(m, n)) {
            if n == 1 { try FileManager.default.createDirectory(atPath: out.partsDir(m), withIntermediateDirectories: true) }
            try Data(part).write(to: URL(fileURLWithPath: "\(out.dir)/\(BuiltinGenerator.partPath(m, n))"), options: .atomic)
            n += 1
        }
        return true
    }
}
