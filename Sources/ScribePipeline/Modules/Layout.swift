/// What the module rules read from a repository's manifests (`go.mod`, `package.json`, `Package.swift`,
/// `Cargo.toml`, build files), kept for resolving imports by the same rules.
public struct Layout: Sendable {
    /// `go.mod` folders ("" for the root) and the module path each declares.
    public var goModules: [(dir: String, path: String)] = []
    /// Folders that hold Python's top-level packages and modules (the root, `src/`).
    public var pythonRoots: [String] = []
    /// npm package names and their folders.
    public var npmPackages: [String: String] = [:]
    /// A `package.json`'s first entry point, by the package's folder.
    public var npmEntries: [String: String] = [:]
    /// SwiftPM targets by name, with their folders.
    public var swiftTargets: [String: String] = [:]
    /// Rust crates by name (`-` written `_`, as `use` spells it), with their folders.
    public var rustCrates: [String: String] = [:]
    /// A crate's source folders: `src/`, or the folders of the `path =` its `[lib]` and `[[bin]]` declare.
    public var rustSourceRoots: [String: String] = [:]  // folder -> crate name
    /// Folders holding a C# project file (`*.csproj`): their names start the namespaces below them.
    public var csharpProjects: [String] = []
    /// Java, Kotlin, Scala packages and C# namespaces, by name, with their folders.
    public var packageFolders: [String: String] = [:]
    /// PHP namespace prefixes (without the trailing `\\`) and the folders `composer.json`'s `autoload.psr-4`
    /// maps them to, longest prefix first.
    public var phpNamespaces: [(prefix: String, dir: String)] = []
    /// Folders C and C++ includes are searched in, as the build declares them (or `include/`).
    public var includeDirs: [String] = []

    public init() {}
}

/// Path helpers on repository paths: split on the byte "/" like `CloneTree` (never NSString path functions,
/// nor a Character split, which keeps a "/" followed by a combining mark whole).
enum RepoPath {
    /// The folder of a path: "" for a file at the root.
    static func dir(_ p: String) -> String { CloneTree.parent(p) }

    static func name(_ p: String) -> String { CloneTree.lastComponent(p) }

    static func join(_ dir: String, _ rest: String) -> String {
        dir.isEmpty ? rest : rest.isEmpty ? dir : "\(dir)/\(rest)"
    }

    /// `a/./b/../c` → `a/c`; nil when `..` leaves the repository.
    static func normalise(_ p: String) -> String? {
        var out: [String] = []
        for c in CloneTree.components(p) {
            if c == "." { continue }
            if c == ".." {
                guard !out.isEmpty else { return nil }
                out.removeLast()
            } else {
                out.append(c)
            }
        }
        return out.joined(separator: "/")
    }

    /// Whether `p` is `ancestor` or inside it ("" is the root, the ancestor of everything).
    static func isInside(_ p: String, _ ancestor: String) -> Bool {
        ancestor.isEmpty || p == ancestor || p.hasPrefix(ancestor + "/")
    }

    /// The strings inside double quotes on a line, in order.
    static func quotedStrings(_ s: Substring) -> [String] {
        var out: [String] = []
        var cur: String? = nil
        for c in s {
            if c == "\"" {
                if let v = cur { out.append(v); cur = nil } else { cur = "" }
            } else if cur != nil {
                cur!.append(c)
            }
        }
        return out
    }
}
