/// Java, Kotlin, Scala and C#: a package or namespace per folder, under the build's source roots
/// (`src/main/java` and the like); imports name packages, resolved only to the repository's own folders.
enum JVMModules {
    static let sourceRoots = ["src/main/java/", "src/main/kotlin/", "src/main/scala/", "src/java/", "src/"]

    /// `app/src/main/java/com/acme/util` → `com.acme.util`.
    static func packageName(of dir: String) -> String? {
        for root in sourceRoots {
            if let r = dir.range(of: root) {
                let rest = dir[r.upperBound...]
                return rest.isEmpty ? nil : rest.replacingOccurrences(of: "/", with: ".")
            }
        }
        let parts = CloneTree.components(dir)
        // Without a known source root, the package is the folders from the first reverse-domain segment on.
        if let i = parts.firstIndex(where: { reverseDomains.contains($0) }) {
            return parts[i...].joined(separator: ".")
        }
        return nil
    }

    static let languages: Set<String> = ["Java", "Kotlin", "Scala", "C#"]
    static let reverseDomains: Set<String> = ["com", "org", "net", "io", "dev", "de", "fr", "uk"]

    /// The folders of a path that can mark tests or examples: for these languages, only those above the package
    /// path (`com/example/model` is a package, not an examples folder; `src/test/java` is still tests).
    static func foldersAbovePackage(_ folders: ArraySlice<String>, language: String?) -> ArraySlice<String> {
        guard let language, languages.contains(language) else { return folders }
        if let i = folders.firstIndex(where: { ["java", "kotlin", "scala"].contains($0) }) { return folders[..<i] }
        if let i = folders.firstIndex(where: { reverseDomains.contains($0) }) { return folders[..<i] }
        return folders
    }

    static func scan(_ paths: Set<String>, into layout: inout Layout) {
        layout.csharpProjects = Set(paths.filter { $0.hasSuffix(".csproj") }.map(RepoPath.dir)).sorted()
    }

    /// C#'s convention: the project folder's name, then the folders below it (`src/Acme.Core/Text` with
    /// `src/Acme.Core/Acme.Core.csproj` → `Acme.Core.Text`); no name without a project file.
    static func namespace(of dir: String, _ layout: Layout) -> String? {
        guard let project = layout.csharpProjects.filter({ RepoPath.isInside(dir, $0) }).max(by: { $0.count < $1.count }) else {
            return nil
        }
        let rest = project.isEmpty ? dir : String(dir.dropFirst(min(dir.count, project.count + 1)))
        let head = project.isEmpty ? [] : [RepoPath.name(project)]
        let name = (head + CloneTree.components(rest)).joined(separator: ".")
        return name.isEmpty ? nil : name
    }

    static let extensions = [".java", ".kt", ".kts", ".scala", ".cs"]

    /// `com.acme.util.Strings` (or `com.acme.util.*`, or a C# namespace): the package the module rules named
    /// so, else a file or folder of the same language whose path ends with the dotted name.
    static func resolve(_ target: String, from path: String, _ r: DependencyResolver) -> String? {
        var parts = target.split(separator: ".").map(String.init)
        if parts.last == "*" { parts.removeLast() }
        let exts = path.hasSuffix(".cs") ? [".cs"] : [".java", ".kt", ".scala"]
        // A package or namespace the module rules named, the longest that the import starts with.
        for n in stride(from: parts.count, to: 0, by: -1) {
            if let folder = r.layout.packageFolders[parts.prefix(n).joined(separator: ".")],
                let f = r.sourceFile(inDir: folder, extensions: exts)
            {
                return f
            }
        }
        while parts.count >= 2 {
            let p = parts.joined(separator: "/")
            if let f = r.fileEnding(with: p, extensions: exts) { return f }
            if let d = r.dirEnding(with: p), let f = r.sourceFile(inDir: d, extensions: exts) { return f }
            parts.removeLast()
        }
        return nil
    }
}
