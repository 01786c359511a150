import Foundation
import ScribeCore

/// The tree-sitter tool (`scribe-parse`): declarations, visibility, doc comments, file docs and imports of
/// the languages it has a grammar for, read from their syntax trees.
extension Indexer {
    /// Languages whose declarations and imports come from scribe-parse rather than ctags and line patterns.
    public static let parsedLanguages: Set<String> = [
        "Python", "JavaScript", "Go", "C", "Rust", "Java", "Ruby", "C#", "Kotlin", "C++", "TypeScript", "PHP",
    ]

    struct ParseOutput {
        var symbols: [Symbol] = []
        var imports: [Import] = []
        /// A file's own documentation (module docstring, Go package comment, Rust `//!`).
        var fileDocs: [(path: String, doc: String)] = []

        mutating func append(_ other: ParseOutput) {
            symbols += other.symbols
            imports += other.imports
            fileDocs += other.fileDocs
        }
    }

    /// The file list goes NUL-separated through a file of ours: no name is ever an argument, so none can
    /// be an option or split in two.
    func runParse(_ tool: String, _ files: [String], cppHeaders: Bool = false) throws -> ParseOutput {
        let list = NSTemporaryDirectory() + "scribe-parse-list-\(UUID().uuidString)"
        var bytes: [UInt8] = []
        for f in files { bytes += Array(f.utf8) + [0] }
        guard FileManager.default.createFile(atPath: list, contents: Data(bytes)) else {
            throw PipelineError.transient("cannot write the list of files to parse")
        }
        defer { try? FileManager.default.removeItem(atPath: list) }
        let r = try Subprocess.run(
            tool, ["--root", root, "--files-from", list] + (cppHeaders ? ["--cpp-headers"] : []),
            env: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"], timeout: tools.timeout,
            maxOutput: 1 << 30)
        guard r.status == 0, !r.timedOut else {
            throw PipelineError.transient("the syntax reader failed: \(r.stderr.split(separator: "\n").first ?? "exit \(r.status)")")
        }
        return Indexer.parseOutput(r.stdout)
    }

    static func parseOutput(_ bytes: [UInt8]) -> ParseOutput {
        var out = ParseOutput()
        for line in bytes.split(separator: 10) {
            guard let v = try? JSONValue.parse(Array(line)), let path = v["path"]?.stringValue else { continue }
            switch v["_type"]?.stringValue {
            case "tag":
                guard var s = Indexer.parseTags(Array(line)).first else { continue }
                s.exported = v["exported"]?.boolValue
                s.overloads = v["overloads"]?.intValue.map(Int.init)
                if case .array(let items)? = v["signatures"] {
                    s.signatures = items.compactMap(\.stringValue).map {
                        BuiltinGenerator.header(name: s.name, signature: $0, typeref: nil, language: s.language)
                    }
                }
                s.role = v["role"]?.stringValue
                s.documents = v["documents"]?.stringValue
                s.needsDeclaration = v["needsDeclaration"]?.boolValue ?? false
                s.partial = v["partial"]?.boolValue ?? false
                out.symbols.append(s)
            case "import":
                guard let target = v["target"]?.stringValue, let n = v["line"]?.intValue else { continue }
                let kind = v["kind"]?.stringValue
                var names: [String] = []
                if case .array(let items)? = v["names"] { names = items.compactMap(\.stringValue) }
                out.imports.append(
                    Import(path: path, line: Int(n), target: target, relative: kind == "mod" || kind == "relative" && v["language"]?.stringValue != "Python",
                        kind: kind, names: names))
            case "file":
                if let d = v["doc"]?.stringValue { out.fileDocs.append((path, d)) }
            default:
                continue
            }
        }
        return out
    }

    /// ctags' names for things that have none (`AnonymousFunction2dfcb5970300`, `__anon1a2b`): never a symbol.
    static func isPlaceholder(_ name: String) -> Bool {
        name.hasPrefix("AnonymousFunction") || name.hasPrefix("__anon")
    }
}
