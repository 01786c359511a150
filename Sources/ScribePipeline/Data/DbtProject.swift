import Foundation
import Yams

/// A dbt project (a folder with `dbt_project.yml`) read as written: models, sources, seeds and snapshots,
/// their YAML descriptions, columns and tests, and lineage from `ref()` and `source()`. Neither dbt nor
/// Jinja is run.
struct DbtProject {
    let root: String  // folder of dbt_project.yml, "" for the repository's root
    var modelPaths = ["models"]
    var seedPaths = ["seeds"]
    var snapshotPaths = ["snapshots"]
    var name: String? = nil
    /// `+materialized` by folder below a model path, from dbt_project.yml's `models:` block.
    var folderMaterialization: [(folder: String, value: String, at: DataCatalog.Citation)] = []

    static func find(_ paths: [String]) -> [String] {
        paths.filter { $0 == "dbt_project.yml" || $0.hasSuffix("/dbt_project.yml") }.map(RepoPath.dir)
    }

    func full(_ rel: String) -> String { root.isEmpty ? rel : "\(root)/\(rel)" }

    func isUnder(_ path: String, _ folders: [String]) -> Bool {
        folders.contains { path.hasPrefix(full($0) + "/") }
    }

    /// Every path this project owns (its model, seed and snapshot folders).
    func owns(_ path: String) -> Bool { isUnder(path, modelPaths + seedPaths + snapshotPaths) }

    static func load(root: String, read: (String) -> String?) -> DbtProject {
        var p = DbtProject(root: root)
        let file = root.isEmpty ? "dbt_project.yml" : "\(root)/dbt_project.yml"
        guard let text = read(file), let node = DbtProject.compose(text), let map = node.mapping else { return p }
        func strings(_ key: String) -> [String]? {
            map[key]?.sequence.map { $0.compactMap(\.string).map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } }
        }
        p.name = map["name"]?.string
        if let m = strings("model-paths") ?? strings("source-paths") { p.modelPaths = m }
        if let s = strings("seed-paths") ?? strings("data-paths") { p.seedPaths = s }
        if let s = strings("snapshot-paths") { p.snapshotPaths = s }
        // models: {project: {staging: {+materialized: view}}}: folders below the project's model paths.
        if let models = map["models"]?.mapping {
            func walk(_ m: Node.Mapping, _ folder: [String]) {
                for (k, v) in m {
                    guard let key = k.string else { continue }
                    if key == "+materialized" || key == "materialized", let value = v.string {
                        p.folderMaterialization.append(
                            (folder.joined(separator: "/"), value, DataCatalog.Citation(path: file, line: v.mark?.line ?? 1)))
                    } else if let sub = v.mapping, !key.hasPrefix("+") {
                        walk(sub, folder + [key])
                    }
                }
            }
            for (k, v) in models {
                guard let sub = v.mapping else { continue }
                if k.string == p.name { walk(sub, []) }  // other keys configure installed packages
            }
        }
        return p
    }

    /// A `ref()` or `source()` call of the object at `from`, resolved once every object is known.
    private typealias PendingCall = (from: Int, call: Jinja.Call, path: String)

    /// The objects and edges of the project.
    func read(_ paths: [String], read: (String) -> String?, into catalog: inout DataCatalog) {
        var objects: [DataCatalog.Object] = []
        var pending: [PendingCall] = []
        readFiles(paths, read: read, into: &objects, calls: &pending)
        readProperties(paths, read: read, into: &objects)
        link(pending, &objects, into: &catalog)
        // A fact's file is one of the object's files: its page changes when that file does.
        for i in objects.indices {
            if let src = objects[i].materializationSource?.path, !objects[i].files.contains(src) { objects[i].files.append(src) }
        }
        catalog.objects += objects
    }

    /// Snapshots, models and seeds from their own files (SQL and CSV), with the calls their SQL makes.
    private func readFiles(
        _ paths: [String], read: (String) -> String?, into objects: inout [DataCatalog.Object],
        calls pending: inout [PendingCall]
    ) {
        for path in paths.sorted() {
            let ext = (path as NSString).pathExtension.lowercased()
            let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            if ext == "sql", isUnder(path, snapshotPaths), let text = read(path) {
                for block in Jinja.blocks(text) {
                    let words = block.body.split(whereSeparator: \.isWhitespace)
                    guard words.count >= 2, words[0] == "snapshot" else { continue }
                    var o = object(String(words[1]), "dbt snapshot", path, block.line)
                    o.sql = text
                    objects.append(o)
                    for c in Jinja.calls(text, named: ["ref", "source"]) { pending.append((objects.count - 1, c, path)) }
                }
            } else if ext == "sql", isUnder(path, modelPaths), let text = read(path) {
                objects.append(model(stem, path, text))
                for c in Jinja.calls(text, named: ["ref", "source"]) { pending.append((objects.count - 1, c, path)) }
            } else if ext == "csv", isUnder(path, seedPaths), let text = read(path) {
                objects.append(seed(stem, path, text))
            }
        }
    }

    /// A model and its materialization: its folder's from dbt_project.yml, then its own `config()`.
    private func model(_ stem: String, _ path: String, _ text: String) -> DataCatalog.Object {
        var o = object(stem, "dbt model", path, 1)
        o.sql = text
        for (folder, value, at) in folderMaterialization where folder.isEmpty || modelPaths.contains(where: { path.hasPrefix(full("\($0)/\(folder)/")) }) {
            o.materialization = value  // deeper folders come later and win, as in dbt
            o.materializationSource = at
        }
        for c in Jinja.calls(text, named: ["config"]) {
            if let m = c.keywords["materialized"] {
                o.materialization = m
                o.materializationSource = DataCatalog.Citation(path: path, line: c.line)
            }
        }
        return o
    }

    /// A seed and the columns its CSV header names.
    private func seed(_ stem: String, _ path: String, _ text: String) -> DataCatalog.Object {
        var o = object(stem, "dbt seed", path, 1)
        let header = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        o.columns = header.split(separator: ",").map {
            DataCatalog.Column(
                name: $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"\r")), declared: DataCatalog.Citation(path: path, line: 1))
        }.filter { !$0.name.isEmpty }
        return o
    }

    /// YAML property files: descriptions, columns, tests, sources.
    private func readProperties(
        _ paths: [String], read: (String) -> String?, into objects: inout [DataCatalog.Object]
    ) {
        for path in paths.sorted() where (path.hasSuffix(".yml") || path.hasSuffix(".yaml")) && owns(path) {
            guard let text = read(path), let node = DbtProject.compose(text), let map = node.mapping else { continue }
            for key in ["models", "seeds", "snapshots"] {
                for entry in map[key]?.sequence ?? [] {
                    guard let m = entry.mapping, let name = m["name"]?.string else { continue }
                    let kind = key == "models" ? "dbt model" : key == "seeds" ? "dbt seed" : "dbt snapshot"
                    guard let i = objects.firstIndex(where: { $0.name == name && $0.kind == kind }) else { continue }
                    apply(m, to: &objects[i], path: path)
                }
            }
            for entry in map["sources"]?.sequence ?? [] {
                guard let s = entry.mapping, let source = s["name"]?.string else { continue }
                for t in s["tables"]?.sequence ?? [] {
                    guard let tm = t.mapping, let table = tm["name"]?.string else { continue }
                    var o = object("\(source).\(table)", "dbt source", path, t.mark?.line ?? 1)
                    if let d = s["description"], o.description == nil, tm["description"] == nil, let text = d.string {
                        o.description = text.trimmingCharacters(in: .whitespacesAndNewlines)
                        o.descriptionSource = DataCatalog.Citation(path: path, line: d.mark?.line ?? 1)
                    }
                    apply(tm, to: &o, path: path)
                    objects.append(o)
                }
            }
        }
    }

    /// Lineage from the calls as written; a call whose arguments are not plain strings is reported.
    private func link(
        _ pending: [PendingCall], _ objects: inout [DataCatalog.Object], into catalog: inout DataCatalog
    ) {
        for (i, call, path) in pending {
            let at = DataCatalog.Citation(path: path, line: call.line)
            guard let args = call.arguments, !args.isEmpty else {
                objects[i].notes.append(("`\(call.text)` is built at run time: its target cannot be read from the file", at))
                continue
            }
            let target: DataCatalog.Object?
            if call.name == "ref" {
                let name = args.last!  // ref('package', 'model') names the model last
                target = objects.first { $0.name == name && $0.kind != "dbt source" }
            } else {
                target = args.count == 2 ? objects.first { $0.name == "\(args[0]).\(args[1])" && $0.kind == "dbt source" } : nil
            }
            guard let t = target else {
                objects[i].notes.append(("`\(call.text)` names nothing defined in this repository", at))
                continue
            }
            catalog.edges.append(DataCatalog.Edge(from: objects[i].id, to: t.id, kind: call.name, text: call.text, at: at))
        }
    }

    func object(_ name: String, _ kind: String, _ path: String, _ line: Int) -> DataCatalog.Object {
        let dir = RepoPath.dir(path)
        return DataCatalog.Object(
            id: dir.isEmpty ? name : "\(dir)/\(name)", name: name, kind: kind, definedAt: DataCatalog.Citation(path: path, line: line),
            files: [path])
    }

    /// A YAML entry's description, materialization, tests and columns onto an object.
    func apply(_ m: Node.Mapping, to o: inout DataCatalog.Object, path: String) {
        if !o.files.contains(path) { o.files.append(path) }
        if let d = m["description"], let text = d.string, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            o.description = text.trimmingCharacters(in: .whitespacesAndNewlines)
            o.descriptionSource = DataCatalog.Citation(path: path, line: d.mark?.line ?? 1)
        }
        if let c = m["config"]?.mapping, let mat = c["materialized"] {
            o.materialization = mat.string
            o.materializationSource = DataCatalog.Citation(path: path, line: mat.mark?.line ?? 1)
        }
        o.tests += DbtProject.tests(m)
        for c in m["columns"]?.sequence ?? [] {
            guard let cm = c.mapping, let name = cm["name"]?.string else { continue }
            let i: Int
            if let found = o.columns.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
                i = found
            } else {
                o.columns.append(DataCatalog.Column(name: name, declared: DataCatalog.Citation(path: path, line: c.mark?.line ?? 1)))
                i = o.columns.count - 1
            }
            if let t = cm["data_type"]?.string { o.columns[i].type = t }
            if let d = cm["description"], let text = d.string, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                o.columns[i].description = text.trimmingCharacters(in: .whitespacesAndNewlines)
                o.columns[i].descriptionSource = DataCatalog.Citation(path: path, line: d.mark?.line ?? 1)
            }
            o.columns[i].tests += DbtProject.tests(cm)
        }
    }

    /// Most aliases a YAML file may hold: each is expanded into a copy of its anchor's node, so a file of
    /// nested aliases (a "billion laughs") would otherwise grow without bound. dbt's files rarely use any.
    static let maxAliases = 64

    /// The YAML document, or nil when it does not parse or holds more aliases than `maxAliases`.
    static func compose(_ text: String) -> Node? {
        var aliases = 0
        var previous: Character = "\n"
        for c in text {
            if c == "*", previous == " " || previous == "\n" || previous == "[" || previous == "," || previous == "{" { aliases += 1 }
            previous = c
        }
        guard aliases <= maxAliases else { return nil }
        return try? Yams.compose(yaml: text)
    }

    /// `tests:` / `data_tests:` entries as their names (`unique`, `relationships`…).
    static func tests(_ m: Node.Mapping) -> [String] {
        var out: [String] = []
        for key in ["tests", "data_tests"] {
            for t in m[key]?.sequence ?? [] {
                if let s = t.string { out.append(s) } else if let tm = t.mapping, let k = tm.first?.key.string { out.append(k) }
            }
        }
        return out
    }
}
