/// Swift: SwiftPM targets, read from `Package.swift` as written (`.target(name:` and `path:`), or the
/// `Sources/<Target>` convention; `import X` resolves when X is one of the package's own targets.
enum SwiftModules {
    static let declarations = [".target(", ".executableTarget(", ".testTarget(", ".macro(", ".plugin(", ".systemLibrary(", ".binaryTarget("]

    static func scan(_ paths: Set<String>, read: (String) -> String?, into layout: inout Layout) {
        for manifest in paths.sorted() where RepoPath.name(manifest) == "Package.swift" {
            guard let text = read(manifest) else { continue }
            let base = RepoPath.dir(manifest)
            for (name, path, kind) in targets(in: text) {
                var folder = path.flatMap { RepoPath.normalise(RepoPath.join(base, $0)) }
                if folder == nil {
                    let conventional = kind == ".testTarget(" ? ["Tests"] : kind == ".plugin(" ? ["Plugins"] : ["Sources", "Source", "src", "srcs"]
                    folder = conventional.map { RepoPath.join(base, "\($0)/\(name)") }
                        .first { d in paths.contains { $0.hasPrefix(d + "/") } }
                }
                if let folder, kind != ".testTarget(" { layout.swiftTargets[name] = folder }
            }
        }
    }

    /// Each target declaration's name, its `path:` if written, and its kind.
    static func targets(in text: String) -> [(String, String?, String)] {
        var out: [(String, String?, String)] = []
        var rest = Substring(text)
        while let (kind, range) = declarations.compactMap({ k in rest.range(of: k).map { (k, $0) } }).min(by: { $0.1.lowerBound < $1.1.lowerBound }) {
            let after = rest[range.upperBound...]
            // The declaration's own arguments end where the next declaration starts.
            let end = declarations.compactMap { after.range(of: $0)?.lowerBound }.min() ?? after.endIndex
            let args = after[..<end]
            if let name = argument("name", args) { out.append((name, argument("path", args), kind)) }
            rest = after
        }
        return out
    }

    private static func argument(_ label: String, _ s: Substring) -> String? {
        var search = s[...]
        while let r = search.range(of: label) {
            let tail = search[r.upperBound...].drop { $0 == " " }
            let before = search[..<r.lowerBound].last
            if tail.hasPrefix(":"), before == nil || !(before!.isLetter || before!.isNumber) {
                return RepoPath.quotedStrings(tail.dropFirst().prefix { $0 != "," && $0 != ")" }).first
            }
            search = search[r.upperBound...]
        }
        return nil
    }

    /// A target's DocC catalog (`*.docc` inside its folder): the abstract of its landing article, the one
    /// titled with the module's symbol link (`# ``Target```), else `<Target>.md` at the catalog's top.
    static func doccAbstract(target name: String, folder: String, paths: [String], read: (String) -> String?) -> (text: String, path: String)? {
        let articles = paths.filter { p in
            RepoPath.isInside(p, folder) && p.lowercased().hasSuffix(".md")
                && CloneTree.components(RepoPath.dir(p)).contains { $0.hasSuffix(".docc") }
        }.sorted()
        var fallback: (String, String)? = nil
        for path in articles {
            guard let text = read(path) else { continue }
            let title = withoutComments(text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? "")
            if title == "# ``\(name)``" { return abstract(text).map { ($0, path) } }
            if fallback == nil, RepoPath.name(path) == "\(name).md", RepoPath.dir(path).hasSuffix(".docc") { fallback = (text, path) }
        }
        return fallback.flatMap { f in abstract(f.0).map { ($0, f.1) } }
    }

    /// A DocC article's abstract: the first paragraph after its title, directives (`@Metadata { … }`) skipped.
    static func abstract(_ text: String) -> String? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = lines.first, first.hasPrefix("# ") else { return nil }
        lines.removeFirst()
        var out: [String] = []
        var depth = 0
        for var l in lines {
            // Xcode's article template left as it was: no abstract written yet.
            if l.contains("@START_MENU_TOKEN@") { return nil }
            l = withoutComments(l)
            if depth > 0 || (out.isEmpty && l.hasPrefix("@")) {
                depth += l.filter { $0 == "{" }.count - l.filter { $0 == "}" }.count
                continue
            }
            if l.isEmpty {
                if out.isEmpty { continue }
                break
            }
            if l.hasPrefix("#") || l.hasPrefix("- ") || l.hasPrefix("```") { break }
            out.append(l)
        }
        return out.isEmpty ? nil : out.joined(separator: " ")
    }

    /// A line without its HTML comments (`# ``NIO`` <!-- SwiftNIO -->`), trimmed.
    static func withoutComments(_ line: String) -> String {
        var l = line
        while let open = l.range(of: "<!--"), let close = l[open.upperBound...].range(of: "-->") {
            l.removeSubrange(open.lowerBound..<close.upperBound)
        }
        return l.trimmingCharacters(in: .whitespaces)
    }

    static func target(of path: String, _ layout: Layout) -> (name: String, path: String)? {
        layout.swiftTargets.filter { RepoPath.isInside(path, $0.value) }.max { $0.value.count < $1.value.count }
            .map { (name: $0.key, path: $0.value) }
    }

    static func resolve(_ target: String, from path: String, _ r: DependencyResolver) -> String? {
        guard let folder = r.layout.swiftTargets[target] else { return nil }
        return r.swiftFile(inTarget: folder)
    }
}
