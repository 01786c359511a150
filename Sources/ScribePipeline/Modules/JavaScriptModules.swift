import ScribeCore

/// JavaScript and TypeScript: a module per folder, the folder of a `package.json` (or the one holding its
/// `main`, `exports` or `bin`) being the npm package. Relative imports resolve with Node's extension and
/// `index` rules; bare names only when they are a `package.json` name of the repository (workspaces).
enum JavaScriptModules {
    struct Package {
        var name: String?
        var entryPoints: [String]
    }

    static let extensions = [".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".d.ts", ".vue", ".svelte"]

    static func isTest(_ name: String) -> Bool {
        for marker in [".test.", ".spec."] where name.contains(marker) {
            return extensions.contains { name.hasSuffix($0) }
        }
        return false
    }

    /// Every `package.json` outside dependency folders, by folder.
    static func scan(_ paths: Set<String>, read: (String) -> String?, into layout: inout Layout) -> [String: Package] {
        var out: [String: Package] = [:]
        for p in paths.sorted() where RepoPath.name(p) == "package.json" {
            guard let text = read(p), let json = try? JSONValue.parse(Array(text.utf8)) else { continue }
            let dir = RepoPath.dir(p)
            var entries: [String] = []
            func entry(_ v: JSONValue?) {
                guard let v else { return }
                if let s = v.stringValue {
                    if let e = RepoPath.normalise(RepoPath.join(dir, s)), !entries.contains(e) { entries.append(e) }
                } else if let pairs = v.objectPairs {
                    for (_, x) in pairs { entry(x) }
                } else if let items = v.arrayValue {
                    for x in items { entry(x) }
                }
            }
            for key in ["main", "module", "types", "exports", "bin"] { entry(json[key]) }
            let name = json["name"]?.stringValue
            out[dir] = Package(name: name, entryPoints: entries)
            if let first = entries.first { layout.npmEntries[dir] = first }
            if let name { layout.npmPackages[name] = dir }
        }
        return out
    }

    static func resolve(_ target: String, from path: String, _ r: DependencyResolver) -> String? {
        if target.hasPrefix("./") || target.hasPrefix("../") || target == "." || target == ".." {
            guard let p = RepoPath.normalise(RepoPath.join(RepoPath.dir(path), target)) else { return nil }
            return file(p, r)
        }
        // A bare name: only a package of this repository (its name, or name/subpath).
        let parts = CloneTree.components(target)
        let nameLength = target.hasPrefix("@") ? 2 : 1
        guard parts.count >= nameLength else { return nil }
        let name = parts.prefix(nameLength).joined(separator: "/")
        guard let dir = r.layout.npmPackages[name] else { return nil }
        let sub = parts.dropFirst(nameLength).joined(separator: "/")
        return file(RepoPath.join(dir, sub), r)
    }

    /// Node's rules: the file as written, with an extension, a TypeScript source for a `.js` path, then the
    /// folder's `package.json` entry and `index`.
    static func file(_ p: String, _ r: DependencyResolver) -> String? {
        if extensions.contains(where: { p.hasSuffix($0) }), r.file(p) != nil { return p }
        for ext in extensions where r.file(p + ext) != nil { return p + ext }
        for (js, ts) in [(".js", ".ts"), (".js", ".tsx"), (".mjs", ".mts"), (".cjs", ".cts"), (".jsx", ".tsx")] where p.hasSuffix(js) {
            let swapped = String(p.dropLast(js.count)) + ts
            if r.file(swapped) != nil { return swapped }
        }
        if let entry = r.layout.npmEntries[p], entry != p, let f = file(entry, r) { return f }
        for ext in extensions where r.file(p + "/index" + ext) != nil { return p + "/index" + ext }
        return nil
    }
}
