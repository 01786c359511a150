import Foundation
import ScribeCore

/// SQL schemas through `scribe-parse --schema` (the tree-sitter SQL grammar): tables, views and
/// materialized views, their columns, keys and comments, foreign keys and the relations a view reads.
struct SchemaReader {
    let root: String
    let tool: String
    var timeout: Double = 600

    /// The file list goes NUL-separated through a file of ours, as for the other syntax readers.
    func read(_ files: [String], into catalog: inout DataCatalog) throws {
        guard !files.isEmpty else { return }
        let list = NSTemporaryDirectory() + "scribe-schema-list-\(UUID().uuidString)"
        let bytes: [UInt8] = files.flatMap { Array($0.utf8) + [0] }
        guard FileManager.default.createFile(atPath: list, contents: Data(bytes)) else {
            throw PipelineError.transient("cannot write the list of SQL files to parse")
        }
        defer { try? FileManager.default.removeItem(atPath: list) }
        let r = try Subprocess.run(
            tool, ["--schema", "--root", root, "--files-from", list],
            env: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"], timeout: timeout, maxOutput: 1 << 30)
        guard r.status == 0, !r.timedOut else {
            throw PipelineError.transient("the SQL reader failed: \(r.stderr.split(separator: "\n").first ?? "exit \(r.status)")")
        }
        SchemaReader.merge(r.stdout, into: &catalog)
    }

    /// Reads the tool's JSON lines. A relation is named by its file's folder and its name; `COMMENT ON`
    /// and foreign keys are matched by name (schema-qualified or not) among the relations found.
    static func merge(_ bytes: [UInt8], into catalog: inout DataCatalog) {
        let records = bytes.split(separator: 10).compactMap { line -> Record? in
            guard let v = try? JSONValue.parse(Array(line)), let path = v["path"]?.stringValue, let n = v["line"]?.intValue else { return nil }
            return (v, path, DataCatalog.Citation(path: path, line: Int(n)))
        }
        var found = Merge()
        // Relations first, so that a column, key or edge can name one that comes later in the output.
        for r in records where r.value["_type"]?.stringValue == "relation" { found.addRelation(r) }
        for r in records { found.addPart(r) }
        found.applyComments()
        found.link(into: &catalog)
        catalog.objects += found.objects
    }

    /// One line of the tool's output: the JSON object, its file and where in it.
    fileprivate typealias Record = (value: JSONValue, path: String, at: DataCatalog.Citation)

    /// One `merge` in progress: the relations found, and the comments and links that name them, kept until
    /// every relation is known.
    fileprivate struct Merge {
        var objects: [DataCatalog.Object] = []
        var comments: [(on: String, target: String, text: String, at: DataCatalog.Citation)] = []
        var links: [(from: Int, target: String, kind: String, text: String, at: DataCatalog.Citation)] = []
        var current: [String: Int] = [:]  // path + relation name → index

        mutating func addRelation(_ r: Record) {
            let (v, path, at) = r
            guard let name = v["name"]?.stringValue, let kind = v["kind"]?.stringValue else { return }
            let dir = RepoPath.dir(path)
            let id = dir.isEmpty ? name : "\(dir)/\(name)"
            if let i = objects.firstIndex(where: { $0.id == id }) {
                objects[i].notes.append(("also created at \(at.text)", at))
                current[path + "\u{0}" + name] = i
                return
            }
            var o = DataCatalog.Object(id: id, name: name, kind: kind, definedAt: at, files: [path])
            o.sql = v["sql"]?.stringValue
            if let d = v["doc"]?.stringValue {
                o.description = d
                o.descriptionSource = DataCatalog.Citation(path: path, line: Int(v["docLine"]?.intValue ?? Int64(at.line)))
            }
            objects.append(o)
            current[path + "\u{0}" + name] = objects.count - 1
        }

        /// The relation a name means, seen from a file.
        func find(_ name: String, near path: String) -> Int? {
            let matches = objects.indices.filter { SchemaReader.sameName(objects[$0].name, name) }
            // The relation of the same folder first: migrations of one database sit together.
            return matches.first { RepoPath.dir(objects[$0].definedAt.path) == RepoPath.dir(path) } ?? matches.first
        }

        /// A column, key, edge or comment of a relation.
        mutating func addPart(_ r: Record) {
            let (v, path, at) = r
            let relation = v["relation"]?.stringValue ?? ""
            // `ALTER TABLE` in a later migration adds to the relation created elsewhere.
            let owner = current[path + "\u{0}" + relation] ?? find(relation, near: path)
            switch v["_type"]?.stringValue {
            case "column":
                guard let i = owner, let name = v["name"]?.stringValue else { return }
                var c = DataCatalog.Column(name: name, type: v["type"]?.stringValue, declared: at)
                if case .array(let items)? = v["constraints"] { c.constraints = items.compactMap(\.stringValue) }
                if let d = v["doc"]?.stringValue {
                    c.description = d
                    c.descriptionSource = DataCatalog.Citation(path: path, line: Int(v["docLine"]?.intValue ?? Int64(at.line)))
                }
                objects[i].columns.append(c)
                if !objects[i].files.contains(path) { objects[i].files.append(path) }
            case "key":
                guard let i = owner, let text = v["text"]?.stringValue else { return }
                objects[i].keys.append(text)
            case "edge":
                guard let i = owner, let target = v["target"]?.stringValue, let kind = v["kind"]?.stringValue else {
                    return
                }
                links.append((i, target, kind, v["text"]?.stringValue ?? target, at))
            case "comment":
                guard let on = v["on"]?.stringValue, let target = v["target"]?.stringValue,
                    let text = v["text"]?.stringValue
                else { return }
                comments.append((on, target, text, at))
            default:
                return
            }
        }

        /// `COMMENT ON`: the description of the relation or column it names.
        mutating func applyComments() {
            for c in comments {
                if c.on == "column" {
                    let parts = c.target.split(separator: ".").map(String.init)
                    guard parts.count >= 2, let i = find(parts.dropLast().joined(separator: "."), near: c.at.path),
                        let j = objects[i].columns.firstIndex(where: { $0.name.lowercased() == parts.last!.lowercased() })
                    else { continue }
                    objects[i].columns[j].description = c.text
                    objects[i].columns[j].descriptionSource = c.at
                } else if let i = find(c.target, near: c.at.path) {
                    objects[i].description = c.text
                    objects[i].descriptionSource = c.at
                }
            }
        }

        /// Foreign keys and the relations a view reads, as edges; a name no relation has is noted on its owner.
        mutating func link(into catalog: inout DataCatalog) {
            for l in links {
                guard let j = find(l.target, near: l.at.path) else {
                    objects[l.from].notes.append(("`\(l.text)` names a relation not created in this repository's SQL", l.at))
                    continue
                }
                if j == l.from && l.kind == "reads" { continue }
                catalog.edges.append(DataCatalog.Edge(from: objects[l.from].id, to: objects[j].id, kind: l.kind, text: l.text, at: l.at))
            }
        }
    }

    /// `public.orders` and `orders` name the same relation when one is unqualified; quotes do not count.
    static func sameName(_ a: String, _ b: String) -> Bool {
        let x = a.lowercased(), y = b.lowercased()
        if x == y { return true }
        let xs = x.split(separator: "."), ys = y.split(separator: ".")
        if xs.count != ys.count { return xs.last == ys.last }
        return false
    }
}
