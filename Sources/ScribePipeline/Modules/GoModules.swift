/// Go: a package per folder (the root package included), named by `go.mod`'s module path; imports resolve
/// through that path, and every other import path (the standard library, other modules) stays outside.
enum GoModules {
    static func isTest(_ name: String) -> Bool { name.hasSuffix("_test.go") }

    /// pkgsite's convention: `example_test.go` (and `example_*_test.go`) hold the package's Example functions.
    static func isExample(_ name: String) -> Bool { isTest(name) && (name == "example_test.go" || name.hasPrefix("example_")) }

    static func scan(_ paths: Set<String>, read: (String) -> String?, into layout: inout Layout) {
        for p in paths.sorted() where RepoPath.name(p) == "go.mod" {
            guard let text = read(p) else { continue }
            for line in text.split(separator: "\n") {
                let t = line.trimmed
                guard t.hasPrefix("module ") || t.hasPrefix("module\t") else { continue }
                var path = String(t.dropFirst(7).trimmed)
                if path.hasPrefix("\""), path.hasSuffix("\""), path.count >= 2 { path = String(path.dropFirst().dropLast()) }
                if let comment = path.range(of: "//") { path = String(path[..<comment.lowerBound].trimmed) }
                if !path.isEmpty { layout.goModules.append((dir: RepoPath.dir(p), path: path)) }
                break
            }
        }
    }

    /// The `go.mod` that owns a folder: the nearest one above it.
    static func owner(of dir: String, _ layout: Layout) -> (dir: String, path: String)? {
        layout.goModules.filter { RepoPath.isInside(dir, $0.dir) }.max { $0.dir.count < $1.dir.count }
    }

    static func importPath(of dir: String, _ layout: Layout) -> String? {
        guard let m = owner(of: dir, layout) else { return nil }
        let rest = m.dir.isEmpty ? dir : String(dir.dropFirst(min(dir.count, m.dir.count + 1)))
        return rest.isEmpty ? m.path : "\(m.path)/\(rest)"
    }

    /// The folder an import path names inside the repository, if a `go.mod` of the repository declares it.
    static func resolve(_ target: String, from path: String, _ r: DependencyResolver) -> String? {
        var best: (dir: String, path: String)? = nil
        for m in r.layout.goModules where target == m.path || target.hasPrefix(m.path + "/") {
            if best == nil || m.path.count > best!.path.count { best = m }
        }
        guard let m = best else { return nil }
        let rest = String(target.dropFirst(m.path.count)).drop { $0 == "/" }
        let dir = RepoPath.join(m.dir, String(rest))
        return r.sourceFile(inDir: dir, extensions: [".go"])
    }
}
