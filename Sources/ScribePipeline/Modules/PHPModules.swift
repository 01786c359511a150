import ScribeCore

/// PHP: `use Vendor\Package\Class` names a class, which Composer's PSR-4 autoloader finds through the
/// `autoload.psr-4` map of a `composer.json` (namespace prefix → folder): `Acme\Log\` → `src/` puts
/// `Acme\Log\Writer\File` in `src/Writer/File.php`. A name no mapping covers (the standard library, other
/// packages) resolves to nothing, however its words match the repository's folders.
enum PHPModules {
    static func scan(_ paths: Set<String>, read: (String) -> String?, into layout: inout Layout) {
        var map: [(prefix: String, dir: String)] = []
        for manifest in paths.sorted() where RepoPath.name(manifest) == "composer.json" {
            guard let text = read(manifest), let json = try? JSONValue.parse(Array(text.utf8)) else { continue }
            let base = RepoPath.dir(manifest)
            for section in ["autoload", "autoload-dev"] {
                guard case .object(let entries)? = json[section]?["psr-4"] else { continue }
                for (prefix, value) in entries {
                    var dirs: [String] = []
                    if let d = value.stringValue { dirs = [d] }
                    if case .array(let items) = value { dirs = items.compactMap(\.stringValue) }
                    for d in dirs {
                        guard let dir = RepoPath.normalise(RepoPath.join(base, d.trimmingSuffix("/"))) else { continue }
                        map.append((prefix.trimmingSuffix("\\"), dir))
                    }
                }
            }
        }
        // The longest prefix first, as the autoloader tries them.
        layout.phpNamespaces = map.sorted {
            $0.prefix.count != $1.prefix.count ? $0.prefix.count > $1.prefix.count : $0.dir < $1.dir
        }
    }

    /// The file a `use` name leads to: the class's file under a mapped folder, else (a namespace, or a function
    /// or constant imported with `use function`) a PHP file directly in the folder the name maps to.
    static func resolve(_ target: String, _ r: DependencyResolver) -> String? {
        let name = target.hasPrefix("\\") ? String(target.dropFirst()) : target
        for (prefix, dir) in r.layout.phpNamespaces {
            guard prefix.isEmpty || name == prefix || name.hasPrefix(prefix + "\\") else { continue }
            let rest = (prefix.isEmpty ? name : String(name.dropFirst(prefix.count))).split(separator: "\\").map(
                String.init)
            let file = RepoPath.join(dir, rest.joined(separator: "/")) + ".php"
            if r.file(file)?.language == "PHP" { return file }
            for folder in [rest, rest.dropLast()].map({ RepoPath.join(dir, $0.joined(separator: "/")) }) {
                if let f = r.sourceFile(inDir: folder, extensions: [".php"]) { return f }
            }
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingSuffix(_ s: String) -> String {
        var out = self
        while out.hasSuffix(s) && out.count > s.count { out.removeLast(s.count) }
        return out
    }
}
