/// Python: a package per folder with `__init__.py`, sub-packages included, in the flat or the `src/` layout.
/// Absolute imports resolve only through the repository's own top-level packages; relative ones within
/// their package.
enum PythonModules {
    static func isTest(_ name: String) -> Bool {
        name.hasSuffix(".py") && (name.hasPrefix("test_") || name.hasSuffix("_test.py") || name == "conftest.py")
    }

    /// The folders top-level packages live in: the root and `src/` (any folder whose packages are not inside
    /// another package).
    static func scan(_ paths: Set<String>, into layout: inout Layout) {
        var roots = Set<String>()
        for p in paths where RepoPath.name(p) == "__init__.py" {
            let pkg = RepoPath.dir(p)
            let parent = RepoPath.dir(pkg)
            if !paths.contains(RepoPath.join(parent, "__init__.py")) || pkg.isEmpty {
                if ModuleRules.noiseFolders[RepoPath.name(parent)] == nil { roots.insert(parent) }
            }
        }
        roots.insert("")
        layout.pythonRoots = roots.sorted()
    }

    static func info(of dir: String, paths: Set<String>, _ layout: Layout) -> ModuleRules.Info {
        let isPackage = paths.contains(RepoPath.join(dir, "__init__.py"))
        var name: String? = nil
        if isPackage, let root = layout.pythonRoots.filter({ RepoPath.isInside(dir, $0) && $0 != dir }).max(by: { $0.count < $1.count }) {
            let rest = root.isEmpty ? dir : String(dir.dropFirst(root.count + 1))
            name = rest.replacingOccurrences(of: "/", with: ".")
        }
        return ModuleRules.Info(kind: isPackage ? "Python package" : "Python modules", qualifiedName: name)
    }

    static let extensions = [".py", ".pyi"]

    /// `from ..a import b` climbs from the importing file's package; `import a.b` looks only in the roots,
    /// so `typing` never lands on `tests/typing`.
    static func resolve(_ target: String, from path: String, _ r: DependencyResolver) -> String? {
        let dots = target.prefix { $0 == "." }.count
        let dotted = String(target.dropFirst(dots))
        let rest = dotted.split(separator: ".").map(String.init)
        if dots > 0 {
            var base = RepoPath.dir(path)
            for _ in 1..<dots {
                guard !base.isEmpty else { return nil }
                base = RepoPath.dir(base)
            }
            return longest(base, rest, r)
        }
        guard let first = rest.first else { return nil }
        for root in r.layout.pythonRoots {
            let top = RepoPath.join(root, first)
            guard r.file(top + ".py") != nil || r.file(top + ".pyi") != nil || r.file(RepoPath.join(top, "__init__.py")) != nil
            else { continue }
            if let f = longest(root, rest, r) { return f }
        }
        return nil
    }

    /// The deepest module or package that `base/a/b/c` names: `c.py`, `c/__init__.py`, else `b`…
    private static func longest(_ base: String, _ parts: [String], _ r: DependencyResolver) -> String? {
        var n = parts.count
        while n >= 0 {
            let p = RepoPath.join(base, parts.prefix(n).joined(separator: "/"))
            if n > 0, let f = extensions.lazy.map({ p + $0 }).first(where: { r.file($0) != nil }) { return f }
            if r.file(RepoPath.join(p, "__init__.py")) != nil { return RepoPath.join(p, "__init__.py") }
            if n == 0, let f = r.sourceFile(inDir: p, extensions: extensions) { return f }
            n -= 1
        }
        return nil
    }
}
