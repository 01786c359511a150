/// Turns import statements into module-to-module edges by each language's rules (the rules live in
/// `Modules/`): an import becomes an edge only when it names a source file of the importing language in the
/// repository, so an edge always has a statement and a real target behind it. Standard-library and
/// third-party names resolve to nothing.
struct DependencyResolver {
    let layout: Layout
    private var byPath: [String: Analysis.File] = [:]
    private var filesInDir: [String: [String]] = [:]
    private var dirsByLast: [String: [String]] = [:]
    private var stemsByLast: [String: [String]] = [:]
    private var firstSwiftFile: [String: String] = [:]  // by target folder

    init(files: [Analysis.File], layout: Layout) {
        self.layout = layout
        for f in files {
            byPath[f.path] = f
            filesInDir[RepoPath.dir(f.path), default: []].append(f.path)
            let name = RepoPath.name(f.path)
            if let dot = name.firstIndex(of: "."), dot != name.startIndex {
                stemsByLast[String(name[..<dot]), default: []].append(f.path)
            }
        }
        for dir in filesInDir.keys where !dir.isEmpty { dirsByLast[RepoPath.name(dir), default: []].append(dir) }
        for folder in layout.swiftTargets.values {
            if let f = byPath.keys.filter({ RepoPath.isInside($0, folder) && $0.hasSuffix(".swift") }).min() { firstSwiftFile[folder] = f }
        }
    }

    func file(_ path: String) -> Analysis.File? { byPath[path] }

    /// A file with one of the extensions directly in a folder: the first by name of an API module (a folder's
    /// `example_test.go` must not stand for its package), else the first by name.
    func sourceFile(inDir dir: String, extensions: [String]) -> String? {
        let candidates = (filesInDir[dir] ?? []).sorted().filter { p in extensions.contains { p.hasSuffix($0) } }
        return candidates.first { byPath[$0]?.module.isEmpty == false } ?? candidates.first
    }

    /// The first Swift file of a SwiftPM target's folder (computed once per target, imports are many).
    func swiftFile(inTarget folder: String) -> String? { firstSwiftFile[folder] }

    /// A file whose path, without its extension, is `p` or ends with `/p`.
    func fileEnding(with p: String, extensions: [String]) -> String? {
        let last = RepoPath.name(p)
        return (stemsByLast[last] ?? []).sorted().first { f in
            extensions.contains { ext in f.hasSuffix(ext) && (String(f.dropLast(ext.count)) == p || f.dropLast(ext.count).hasSuffix("/" + p)) }
        }
    }

    /// A folder that is `p` or ends with `/p`.
    func dirEnding(with p: String) -> String? {
        (dirsByLast[RepoPath.name(p)] ?? []).sorted().first { $0 == p || $0.hasSuffix("/" + p) }
    }

    /// The repository file an import names, by the importing file's language; nil outside the repository.
    func resolveFile(_ imp: Import) -> String? {
        guard let from = byPath[imp.path] else { return nil }
        let t = imp.target
        switch from.language {
        case "Python": return PythonModules.resolve(t, from: imp.path, self)
        case "JavaScript", "TypeScript", "Vue", "Svelte": return JavaScriptModules.resolve(t, from: imp.path, self)
        case "Go": return GoModules.resolve(t, from: imp.path, self)
        case "Swift": return SwiftModules.resolve(t, from: imp.path, self)
        case "Rust": return RustModules.resolve(t, relative: imp.relative, from: imp.path, self)
        case "C", "C++", "Objective-C", "Objective-C++": return CModules.resolve(t, relative: imp.relative, from: imp.path, self)
        case "Java", "Kotlin", "Scala", "C#": return JVMModules.resolve(t, from: imp.path, self)
        case "Ruby":
            let p = imp.relative ? RepoPath.join(RepoPath.dir(imp.path), t) : RepoPath.join("lib", t)
            return RepoPath.normalise(p).flatMap { p in [p, p + ".rb"].first { byPath[$0]?.language == "Ruby" } }
        case "PHP":
            // `require`/`include` of a path relative to the file; `use` names through composer.json's PSR-4 map.
            guard imp.relative else { return PHPModules.resolve(t, self) }
            return RepoPath.normalise(RepoPath.join(RepoPath.dir(imp.path), t)).flatMap { byPath[$0]?.language == "PHP" ? $0 : nil }
        default: return nil
        }
    }

    /// The API module an import leads to ("" for tests, examples and the like).
    func module(for imp: Import) -> String? {
        resolveFile(imp).flatMap { byPath[$0]?.module }
    }

    func resolve(_ imports: [Import]) -> [Analysis.Dependency] {
        var edges: [String: Analysis.Dependency] = [:]
        for imp in imports {
            guard let from = byPath[imp.path]?.module, !from.isEmpty, let to = module(for: imp), !to.isEmpty, to != from else { continue }
            let key = from + "\u{0}" + to
            // Every import is evidence: a page says how many more there are, and a module's fingerprint sees each.
            edges[key, default: Analysis.Dependency(from: from, to: to, evidence: [])].evidence.append(imp)
        }
        return edges.values.sorted { $0.from != $1.from ? $0.from < $1.from : $0.to < $1.to }
    }
}
