/// Rust: a crate per `Cargo.toml` (workspace members included; a `src/` with `lib.rs` or `main.rs` counts
/// when no manifest is there), the files of `src/` forming the crate's module and each folder of its `mod`
/// tree a module of its own. `use crate::`, `self::`, `super::`, `mod` and the workspace's crate names
/// resolve; `std` and third-party crates stay outside.
enum RustModules {
    static func scan(_ paths: Set<String>, read: (String) -> String?, into layout: inout Layout) {
        for manifest in paths.sorted() where RepoPath.name(manifest) == "Cargo.toml" {
            guard let text = read(manifest) else { continue }
            var section = ""
            var name: String? = nil
            var targetPaths: [String] = []
            for line in text.split(separator: "\n") {
                let t = line.trimmed
                if t.hasPrefix("[") { section = String(t); continue }
                if section == "[package]", name == nil, t.hasPrefix("name"), let q = RepoPath.quotedStrings(t).first {
                    name = q.replacingOccurrences(of: "-", with: "_")
                } else if section == "[lib]" || section == "[[bin]]", t.hasPrefix("path"), let q = RepoPath.quotedStrings(t).first {
                    targetPaths.append(q)
                }
            }
            guard let name else { continue }
            let dir = RepoPath.dir(manifest)
            layout.rustCrates[name] = dir
            layout.rustSourceRoots[RepoPath.join(dir, "src")] = name
            for p in targetPaths {
                if let file = RepoPath.normalise(RepoPath.join(dir, p)) { layout.rustSourceRoots[RepoPath.dir(file)] = name }
            }
        }
        // A crate without a manifest in the tree: its `src/lib.rs` or `src/main.rs` says where it is.
        for p in paths.sorted() where p.hasSuffix("src/lib.rs") || p.hasSuffix("src/main.rs") {
            let crate = RepoPath.dir(RepoPath.dir(p))
            if layout.rustSourceRoots[RepoPath.dir(p)] == nil {
                let name = RepoPath.name(crate).replacingOccurrences(of: "-", with: "_")
                layout.rustCrates[name] = crate
                layout.rustSourceRoots[RepoPath.dir(p)] = name
            }
        }
    }

    /// The crate a file belongs to: the source folder that holds it (the nearest), its crate and that crate's folder.
    static func crate(of path: String, _ layout: Layout) -> (name: String, dir: String, src: String)? {
        guard let root = layout.rustSourceRoots.filter({ RepoPath.isInside(path, $0.key) }).max(by: { $0.key.count < $1.key.count }),
            let dir = layout.rustCrates[root.value]
        else { return nil }
        return (name: root.value, dir: dir, src: root.key)
    }

    /// The files directly in a crate's source folder form the crate's module (named after the crate's folder
    /// when the sources are its `src/`); each folder below, a module of its own.
    static func module(of path: String, paths: Set<String>, _ layout: Layout) -> (String, ModuleRules.Info)? {
        guard let c = crate(of: path, layout) else { return nil }
        let dir = RepoPath.dir(path)
        if dir == c.src {
            let home = c.src == RepoPath.join(c.dir, "src") ? c.dir : c.src
            return (home.isEmpty ? "." : home, ModuleRules.Info(kind: "Rust crate", qualifiedName: c.name))
        }
        let modPath = c.name + "::" + dir.dropFirst(c.src.count + 1).replacingOccurrences(of: "/", with: "::")
        return (dir, ModuleRules.Info(kind: "Rust module", qualifiedName: modPath))
    }

    /// The folder a file's child modules live in: `src/` for the crate root, `src/a/` for `a.rs` and `a/mod.rs`.
    static func childDir(of path: String) -> String {
        let name = RepoPath.name(path)
        if ["lib.rs", "main.rs", "mod.rs"].contains(name) { return RepoPath.dir(path) }
        return RepoPath.join(RepoPath.dir(path), String(name.dropLast(3)))
    }

    static func resolve(_ target: String, relative: Bool, from path: String, _ r: DependencyResolver) -> String? {
        guard let c = crate(of: path, r.layout) else { return nil }
        var parts = target.split(separator: "::").map(String.init)
        if let i = parts.firstIndex(where: { $0.hasPrefix("{") || $0 == "*" }) { parts = Array(parts[..<i]) }
        guard let first = parts.first else { return nil }
        var base: String
        if relative {  // `mod a;`
            base = childDir(of: path)
        } else if first == "crate" {
            base = c.src
            parts.removeFirst()
        } else if first == "self" || first == "super" {
            base = childDir(of: path)
            while let p = parts.first, p == "self" || p == "super" {
                if p == "super" { base = RepoPath.dir(base) }
                parts.removeFirst()
            }
        } else if let other = r.layout.rustCrates[first] {
            // The library's sources: `src/` when the crate has it, else a folder its manifest declares.
            let roots = r.layout.rustSourceRoots.filter { $0.value == first }.keys
            let src = RepoPath.join(other, "src")
            base = roots.contains(src) ? src : roots.min() ?? src
            parts.removeFirst()
        } else {
            return nil
        }
        // The deepest `a/b.rs` or `a/b/mod.rs` the path names; else the crate or module it starts from.
        var n = parts.count
        while n > 0 {
            let p = RepoPath.join(base, parts.prefix(n).joined(separator: "/"))
            if r.file(p + ".rs") != nil { return p + ".rs" }
            if r.file(p + "/mod.rs") != nil { return p + "/mod.rs" }
            n -= 1
        }
        for root in ["lib.rs", "main.rs", "mod.rs"] where r.file(RepoPath.join(base, root)) != nil { return RepoPath.join(base, root) }
        return r.file(base + ".rs") != nil ? base + ".rs" : r.sourceFile(inDir: base, extensions: [".rs"])
    }
}
