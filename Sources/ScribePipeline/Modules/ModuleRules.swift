/// Assigns every file to an API module by its language's rules (one file per language beside this one),
/// and keeps tests, examples, benchmarks, docs and CI out of the modules.
enum ModuleRules {
    /// A module as a language's rules name it.
    struct Info {
        var kind: String
        var qualifiedName: String? = nil
        var entryPoints: [String] = []
    }

    struct Result {
        var files: [Analysis.File]
        var info: [String: Info]
        var layout: Layout
    }

    /// Folders that are never API modules, wherever they sit, and what they hold.
    static let noiseFolders: [String: Analysis.Role] = [
        "tests": .test, "test": .test, "Tests": .test, "spec": .test, "specs": .test, "__tests__": .test, "testdata": .test,
        "testing": .test, "fuzz": .test, "fuzzing": .test, "IntegrationTests": .test, "integration_tests": .test,
        "integration-tests": .test, "examples": .example, "Snippets": .example, "example": .example, "Examples": .example, "samples": .example,
        "benchmarks": .benchmark, "benchmark": .benchmark, "bench": .benchmark, "benches": .benchmark,
        "Benchmarks": .benchmark, "docs": .docs, "doc": .docs, "Documentation": .docs, ".github": .ci, "ci": .ci,
        ".ci": .ci, ".circleci": .ci, ".gitlab": .ci,
    ]

    /// Languages whose files never form a module on their own (prose, data, build and shell scripts).
    static let nonCode: Set<String> = [
        "Markdown", "reStructuredText", "JSON", "YAML", "TOML", "XML", "HTML", "CSS", "SCSS", "Makefile", "CMake",
        "Dockerfile", "Shell", "SQL", "Protocol Buffers",
    ]

    /// Build scripts and tool configuration written in a code language: part of no API.
    static func isBuildFile(_ name: String) -> Bool {
        if ["Package.swift", "setup.py", "noxfile.py", "fabfile.py", "build.rs", "Gruntfile.js", "gulpfile.js", "Rakefile",
            "Gemfile", "build.gradle.kts", "settings.gradle.kts"].contains(name)
        { return true }
        for ext in [".config.js", ".config.ts", ".config.mjs", ".config.cjs", "rc.js", "rc.cjs"] where name.hasSuffix(ext) {
            return true
        }
        return false
    }

    /// Why a file is not part of an API module, or `.source`.
    static func role(of f: Analysis.File) -> Analysis.Role {
        let parts = CloneTree.components(f.path)
        for folder in JVMModules.foldersAbovePackage(parts.dropLast(), language: f.language) {
            if let r = noiseFolders[folder] { return r }
        }
        let name = parts.last ?? ""
        if GoModules.isExample(name) { return .example }
        if GoModules.isTest(name) || PythonModules.isTest(name) || JavaScriptModules.isTest(name) { return .test }
        if isBuildFile(name) || name.hasPrefix(".") { return .other }  // dotfiles configure tools
        guard let l = f.language, !nonCode.contains(l) else { return .other }
        return .source
    }

    static func assign(_ input: [Analysis.File], read: (String) -> String?) -> Result {
        var files = input
        var layout = Layout()
        let paths = Set(files.map(\.path))
        GoModules.scan(paths, read: read, into: &layout)
        PythonModules.scan(paths, into: &layout)
        SwiftModules.scan(paths, read: read, into: &layout)
        RustModules.scan(paths, read: read, into: &layout)
        CModules.scan(paths, read: read, into: &layout)
        JVMModules.scan(paths, into: &layout)
        PHPModules.scan(paths, read: read, into: &layout)
        let npm = JavaScriptModules.scan(paths, read: read, into: &layout)

        var info: [String: Info] = [:]
        for i in files.indices {
            files[i].role = role(of: files[i])
            files[i].module = ""
            guard files[i].role == .source else { continue }
            let (module, kind) = rule(for: files[i], paths: paths, layout: layout)
            files[i].module = module
            if info[module] == nil { info[module] = kind }
        }
        for (path, i) in info.sorted(by: { $0.key < $1.key }) where i.kind.hasSuffix(" package") || i.kind == "C# namespace" {
            if let q = i.qualifiedName, layout.packageFolders[q] == nil { layout.packageFolders[q] = path == "." ? "" : path }
        }
        // Prose and data files belong to the module of their folder when there is one.
        for i in files.indices where files[i].role == .other {
            let dir = RepoPath.dir(files[i].path)
            if info[dir.isEmpty ? "." : dir] != nil { files[i].module = dir.isEmpty ? "." : dir }
        }
        // A package.json names the module of its folder, or else the module that holds its entry point.
        for (dir, pkg) in npm.sorted(by: { $0.key < $1.key }) {
            let home = dir.isEmpty ? "." : dir
            var target: String? = info[home] != nil ? home : nil
            if target == nil {
                target = pkg.entryPoints.lazy.compactMap { e in files.first { $0.path == e && $0.role == .source }?.module }.first
            }
            guard let t = target else { continue }
            info[t]!.kind = "npm package"
            info[t]!.qualifiedName = pkg.name
            info[t]!.entryPoints = pkg.entryPoints.filter(paths.contains)  // built outputs (`dist/`) are not in the tree
        }
        return Result(files: files, info: info, layout: layout)
    }

    /// The module of a source file, by its language.
    static func rule(for f: Analysis.File, paths: Set<String>, layout: Layout) -> (String, Info) {
        let dir = RepoPath.dir(f.path)
        let folder = dir.isEmpty ? "." : dir
        // A SwiftPM target owns every source file in its folder (C targets included).
        if let t = SwiftModules.target(of: f.path, layout) { return (t.path, Info(kind: "SwiftPM target", qualifiedName: t.name)) }
        switch f.language {
        case "Rust":
            if let c = RustModules.module(of: f.path, paths: paths, layout) { return c }
        case "Go":
            return (folder, Info(kind: "Go package", qualifiedName: GoModules.importPath(of: dir, layout)))
        case "Python":
            return (folder, PythonModules.info(of: dir, paths: paths, layout))
        case "Java", "Kotlin", "Scala":
            return (folder, Info(kind: "\(f.language!) package", qualifiedName: JVMModules.packageName(of: dir)))
        case "C#":
            return (folder, Info(kind: "C# namespace", qualifiedName: JVMModules.namespace(of: dir, layout)))
        case "C", "C++", "Objective-C", "Objective-C++":
            return (folder, Info(kind: CModules.kind(of: dir, language: f.language!, layout)))
        case "JavaScript", "TypeScript", "Vue", "Svelte":
            return (folder, Info(kind: "\(f.language!) folder"))
        default:
            break
        }
        return (folder, Info(kind: "folder"))
    }
}
