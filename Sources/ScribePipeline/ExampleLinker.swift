/// Links tests, examples and benchmarks to the public symbols they use, the way pkgsite shows `Example…`
/// functions: a file uses a symbol when it imports the symbol's module (or, for Go's in-package tests,
/// sits in its folder) and names the symbol outside its import statements.
enum ExampleLinker {
    static let perSymbol = 5

    static func link(_ a: Analysis, _ resolver: DependencyResolver, read: (String) -> String?) -> [String: [Analysis.Example]] {
        let roles: Set<Analysis.Role> = [.test, .example, .benchmark]
        let moduleNames = Set(a.modules.map(\.path))
        var importsByFile: [String: [Import]] = [:]
        for imp in a.imports { importsByFile[imp.path, default: []].append(imp) }
        var bySymbolModule: [String: [Symbol]] = [:]
        let moduleOf = Dictionary(a.files.map { ($0.path, $0.module) }, uniquingKeysWith: { x, _ in x })
        for s in a.symbols where s.isReference && s.isPublic && (s.scope == nil || s.scopeKind == "package") && s.name.count >= 3 {
            if let m = moduleOf[s.path], !m.isEmpty { bySymbolModule[m, default: []].append(s) }
        }
        var out: [String: [Analysis.Example]] = [:]
        for f in a.files where roles.contains(f.role) && f.language != nil && !ModuleRules.nonCode.contains(f.language!) {
            let imports = importsByFile[f.path] ?? []
            var used = Set(imports.compactMap { resolver.module(for: $0) }.filter { !$0.isEmpty })
            if f.language == "Go" {
                let dir = RepoPath.dir(f.path)
                if moduleNames.contains(dir.isEmpty ? "." : dir) { used.insert(dir.isEmpty ? "." : dir) }
            }
            guard !used.isEmpty, let text = read(f.path) else { continue }
            let importLines = Set(imports.map(\.line))
            var firstUse: [Substring: Int] = [:]
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !importLines.contains(n + 1) {
                for word in line.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }) where firstUse[word] == nil {
                    firstUse[word] = n + 1
                }
            }
            for m in used.sorted() {
                for s in bySymbolModule[m] ?? [] {
                    guard let line = firstUse[Substring(s.name)] else { continue }
                    let key = Analysis.symbolKey(s)
                    if out[key, default: []].count < perSymbol { out[key, default: []].append(.init(path: f.path, line: line, role: f.role)) }
                }
            }
        }
        return out
    }
}
