import Foundation

/// Turns import statements into module-to-module edges, only when an import names a file or folder that
/// exists in the repository (so an edge always has a statement and a target behind it).
struct DependencyResolver {
    private var moduleOfFile: [String: String] = [:]
    private var moduleOfStem: [String: String] = [:]  // path without extension -> module
    private var stemsByLast: [String: [String]] = [:]
    private var moduleOfDir: [String: String?] = [:]  // nil: the folder spans several modules
    private var dirsByLast: [String: [String]] = [:]
    private var language: [String: String?] = [:]

    init(files: [Analysis.File]) {
        for f in files {
            moduleOfFile[f.path] = f.module
            language[f.path] = f.language
            let stem = DependencyResolver.stripExtension(f.path)
            moduleOfStem[stem] = f.module
            stemsByLast[DependencyResolver.last(stem), default: []].append(stem)
            var dir = CloneTree.parent(f.path)
            while !dir.isEmpty {
                if let existing = moduleOfDir[dir] {
                    if existing != f.module { moduleOfDir[dir] = .some(nil) }
                } else {
                    moduleOfDir[dir] = .some(f.module)
                    dirsByLast[DependencyResolver.last(dir), default: []].append(dir)
                }
                dir = CloneTree.parent(dir)
            }
        }
    }

    static func last(_ p: String) -> String { p.split(separator: "/").last.map(String.init) ?? p }

    static func stripExtension(_ p: String) -> String {
        let name = last(p)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return p }
        return String(p.dropLast(name.distance(from: dot, to: name.endIndex)))
    }

    func resolve(_ imports: [Import]) -> [Analysis.Dependency] {
        var edges: [String: Analysis.Dependency] = [:]
        for imp in imports {
            guard let from = moduleOfFile[imp.path], let to = module(for: imp), to != from else { continue }
            let key = from + "\u{0}" + to
            if edges[key] == nil { edges[key] = Analysis.Dependency(from: from, to: to, evidence: []) }
            if edges[key]!.evidence.count < 5 { edges[key]!.evidence.append(imp) }
        }
        return edges.values.sorted { $0.from != $1.from ? $0.from < $1.from : $0.to < $1.to }
    }

    func module(for imp: Import) -> String? {
        let t = imp.target
        let lang = language[imp.path] ?? nil
        if imp.relative || t.hasPrefix("./") || t.hasPrefix("../") {
            let base = CloneTree.parent(imp.path)
            let joined = DependencyResolver.normalise(base.isEmpty ? t : "\(base)/\(t)")
            if let joined {
                if let m = moduleOfFile[joined] ?? moduleOfStem[DependencyResolver.stripExtension(joined)] ?? moduleOfStem[joined] { return m }
                if let m = moduleOfStem["\(joined)/index"] ?? moduleOfStem["\(joined)/__init__"] ?? moduleOfStem["\(joined)/mod"] { return m }
                if let m = moduleOfDir[joined] ?? nil { return m }
            }
            // C's quoted includes also search the include path: fall through with the bare name.
            guard lang == "C" || lang == "C++" || lang == "Objective-C" else { return nil }
            return byPath(DependencyResolver.stripExtension(String(t.drop(while: { $0 == "." || $0 == "/" }))), allowShorter: false)
        }
        var p = t
        for prefix in ["crate::", "self::", "super::"] where p.hasPrefix(prefix) { p = String(p.dropFirst(prefix.count)) }
        p = p.replacingOccurrences(of: "::", with: "/").replacingOccurrences(of: "\\", with: "/")
        switch lang {
        case "Python", "Java", "Kotlin", "Scala", "C#": p = p.replacingOccurrences(of: ".", with: "/")
        case "C", "C++", "Objective-C", "Objective-C++": p = DependencyResolver.stripExtension(p)
        default: break
        }
        while p.hasSuffix("/*") || p.hasSuffix("/") { p = String(p.dropLast(p.hasSuffix("/*") ? 2 : 1)) }
        if let brace = p.firstIndex(of: "{") { p = String(p[..<brace]).trimmingCharacters(in: CharacterSet(charactersIn: "/")) }
        guard !p.isEmpty else { return nil }
        if lang == "Go" {
            // Go imports are longer than repository paths: match a folder the import path ends with.
            var best: (String, Int)? = nil
            for (dir, m) in moduleOfDir {
                guard let m, p == dir || p.hasSuffix("/" + dir) else { continue }
                if best == nil || dir.count > best!.1 { best = (m, dir.count) }
            }
            return best?.0
        }
        return byPath(p, allowShorter: true)
    }

    /// A file stem or folder equal to `p` or ending with `/p`; with `allowShorter`, `a/b/C` may match `a/b`
    /// (an import of a symbol inside a file or package).
    private func byPath(_ path: String, allowShorter: Bool) -> String? {
        var comps = path.split(separator: "/").map(String.init)
        while !comps.isEmpty {
            let p = comps.joined(separator: "/")
            let last = comps.last!
            for stem in stemsByLast[last] ?? [] where stem == p || stem.hasSuffix("/" + p) {
                if let m = moduleOfStem[stem] { return m }
            }
            for dir in dirsByLast[last] ?? [] where dir == p || dir.hasSuffix("/" + p) {
                if let m = moduleOfDir[dir] ?? nil { return m }
            }
            guard allowShorter else { return nil }
            comps.removeLast()
        }
        return nil
    }

    static func normalise(_ p: String) -> String? {
        var out: [Substring] = []
        for c in p.split(separator: "/") {
            if c == "." || c.isEmpty { continue }
            if c == ".." {
                guard !out.isEmpty else { return nil }
                out.removeLast()
            } else {
                out.append(c)
            }
        }
        return out.joined(separator: "/")
    }
}
