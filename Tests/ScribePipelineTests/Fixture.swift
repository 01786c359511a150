import Foundation
import Testing

@testable import ScribePipeline

/// A source tree written by a test into a fresh temporary folder, removed when the fixture goes.
final class Fixture {
    let root: String
    let files: [String: String]

    init(_ files: [String: String]) throws {
        self.files = files
        root = NSTemporaryDirectory() + "scribe-fixture-\(UUID().uuidString)"
        for (path, text) in files {
            let full = "\(root)/\(path)"
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// The real analysis (the tools built next to the test binary), as a job runs it.
    func analyze() throws -> Analysis {
        let analyzer = Analyzer()
        #expect(analyzer.tools.parse != nil, "scribe-parse is built next to the tests")
        return try analyzer.analyze(root: root)
    }
}

extension Analysis {
    /// The one symbol with this name (and scope, and path when given); records an issue when there are none or several.
    func the(_ name: String, scope: String? = nil, in path: String? = nil, sourceLocation: SourceLocation = #_sourceLocation)
        -> Symbol?
    {
        let found = symbols.filter { $0.name == name && $0.scope == scope && (path == nil || $0.path == path) }
        #expect(found.count == 1, "\(name) in \(scope ?? "-") \(path ?? ""): \(found.count) symbols", sourceLocation: sourceLocation)
        return found.count == 1 ? found[0] : nil
    }

    func has(_ name: String) -> Bool { symbols.contains { $0.name == name } }

    /// (line, target) of the imports of one file.
    func imports(of path: String) -> [String] { imports.filter { $0.path == path }.map { "\($0.line) \($0.target)" } }
}

/// The truth check: every symbol's line names it, and every doc comment is the one next to its
/// declaration (its first line stands between the previous declaration and the line after this one's end).
func checkTruth(_ a: Analysis, root: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    var linesOf: [String: [Substring]] = [:]
    let byPath = Dictionary(grouping: a.symbols, by: \.path)
    for (path, symbols) in byPath {
        let text = try String(contentsOfFile: "\(root)/\(path)", encoding: .utf8)
        let lines = linesOf[path] ?? text.split(separator: "\n", omittingEmptySubsequences: false)
        linesOf[path] = lines
        for s in symbols {
            guard s.line >= 1, s.line <= lines.count else {
                Issue.record("\(path):\(s.line) \(s.name): no such line", sourceLocation: sourceLocation)
                continue
            }
            #expect(lines[s.line - 1].contains(s.name), "\(path):\(s.line) does not name \(s.name)", sourceLocation: sourceLocation)
            guard let doc = s.doc, let first = doc.split(separator: "\n").first.map({ String($0).trimmingCharacters(in: .whitespaces) }),
                !first.isEmpty
            else { continue }
            // The previous declaration that ends before this one starts (enclosing ones do not bound it).
            let previousEnd = symbols.filter { ($0.end ?? $0.line) < s.line }.map { $0.end ?? $0.line }.max() ?? 0
            let last = min(lines.count, max(s.end ?? s.line, s.line) + 1)
            let window = lines[previousEnd..<last]
            // A doc the language takes from a declaration this one names (`name = property(_get_name)`).
            let borrowed = symbols.contains { $0.doc == doc && $0.line != s.line && lines[s.line - 1].contains($0.name) }
            #expect(borrowed || window.contains { $0.contains(first) }, "\(path):\(s.line) \(s.name): doc \"\(first)\" is not adjacent",
                sourceLocation: sourceLocation)
        }
    }
}
