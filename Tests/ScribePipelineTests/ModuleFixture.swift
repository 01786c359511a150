import Foundation

@testable import ScribePipeline

/// A repository tree written by a test into a fresh temporary folder, analysed with the real tools.
struct ModuleFixture {
    let root: String

    init(_ files: [String: String]) throws {
        root = NSTemporaryDirectory() + "scribe-modules-\(UUID().uuidString)"
        for (path, text) in files {
            let full = "\(root)/\(path)"
            try FileManager.default.createDirectory(
                atPath: String(full[..<full.lastIndex(of: "/")!]), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        }
    }

    func analyze() throws -> Analysis { try Analyzer().analyze(root: root) }

    /// The analysis of a tree that is removed again at once.
    static func analysis(of files: [String: String]) throws -> Analysis {
        let f = try ModuleFixture(files)
        defer { f.remove() }
        return try f.analyze()
    }

    /// Writes the built-in documentation for every module into a folder of the fixture's own.
    func document(_ a: Analysis, maxPageBytes: Int? = nil) throws -> (out: DocsOutput, pages: [String]) {
        var out = DocsOutput(dir: root + "-docs")
        if let maxPageBytes { out.generator.maxPageBytes = maxPageBytes }
        for m in a.modules { try out.writeModule(m, a) }
        let ctx = BuiltinGenerator.Context(repositoryName: "fixture", repositoryURL: root, commit: "0123456789abcdef", generatedAt: "now")
        let pages = try out.finalize(a, modules: a.modules, ctx: ctx) { _ in }
        return (out, pages.map(\.path))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.removeItem(atPath: root + "-docs")
    }
}

extension Analysis {
    /// `from -> to @ file:line` for every edge and every import statement it cites.
    var edgeLines: [String] {
        dependencies.flatMap { d in d.evidence.map { "\(d.from) -> \(d.to) @ \($0.path):\($0.line)" } }.sorted()
    }

    var modulePaths: [String] { modules.map(\.path) }

    func module(_ path: String) -> Module? { modules.first { $0.path == path } }
}
