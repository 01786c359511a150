import Foundation

/// Walks a clone and builds the `Analysis`. Never follows a symbolic link (lstat), never reads a file over
/// the size limit, never executes anything.
public struct Analyzer {
    public var maxFileBytes = 1 << 20
    public var indexSymbols = true
    public var tools = Indexer.Tools()

    public init() {}

    static let vendored: Set<String> = [
        "node_modules", "vendor", "vendors", "third_party", "third-party", "3rdparty", "external", "deps", ".build",
        "build", "dist", "target", "Pods", "Carthage", "__pycache__", ".venv", "venv", ".tox", "bower_components",
    ]

    static let languages: [String: String] = [
        "swift": "Swift", "py": "Python", "js": "JavaScript", "mjs": "JavaScript", "cjs": "JavaScript", "jsx": "JavaScript",
        "ts": "TypeScript", "tsx": "TypeScript", "go": "Go", "rs": "Rust", "c": "C", "h": "C", "cc": "C++", "cpp": "C++",
        "cxx": "C++", "hpp": "C++", "hh": "C++", "hxx": "C++", "m": "Objective-C", "mm": "Objective-C++", "java": "Java",
        "kt": "Kotlin", "kts": "Kotlin", "cs": "C#", "rb": "Ruby", "php": "PHP", "scala": "Scala", "sh": "Shell",
        "bash": "Shell", "zsh": "Shell", "pl": "Perl", "pm": "Perl", "lua": "Lua", "r": "R", "dart": "Dart",
        "ex": "Elixir", "exs": "Elixir", "erl": "Erlang", "hs": "Haskell", "ml": "OCaml", "fs": "F#", "clj": "Clojure",
        "sql": "SQL", "html": "HTML", "css": "CSS", "scss": "SCSS", "md": "Markdown", "rst": "reStructuredText",
        "json": "JSON", "yaml": "YAML", "yml": "YAML", "toml": "TOML", "xml": "XML", "proto": "Protocol Buffers",
        "cmake": "CMake", "mk": "Makefile", "vue": "Vue", "svelte": "Svelte", "zig": "Zig", "nim": "Nim",
    ]

    static func language(of name: String) -> String? {
        if name == "Makefile" || name == "GNUmakefile" { return "Makefile" }
        if name == "Dockerfile" { return "Dockerfile" }
        if name == "CMakeLists.txt" { return "CMake" }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        return languages[name[name.index(after: dot)...].lowercased()]
    }

    static func isReadme(_ name: String) -> Bool {
        let l = name.lowercased()
        return l == "readme" || l == "readme.md" || l == "readme.markdown" || l == "readme.txt" || l == "readme.rst"
    }

    public func analyze(root: String) throws -> Analysis {
        var files: [Analysis.File] = []
        var skipped = Analysis.Skipped()
        var readmes: [String: (String, String)] = [:]  // dir -> (path, text)
        var stack = [""]
        let fm = FileManager.default
        while let rel = stack.popLast() {
            let dir = rel.isEmpty ? root : "\(root)/\(rel)"
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            for name in names.sorted() {
                if name == ".git" { continue }
                let relPath = rel.isEmpty ? name : "\(rel)/\(name)"
                let full = "\(root)/\(relPath)"
                var st = stat()
                guard lstat(full, &st) == 0 else { continue }
                let kind = st.st_mode & S_IFMT
                if kind == S_IFLNK {
                    skipped.symlinks += 1
                    continue
                }
                if kind == S_IFDIR {
                    if Analyzer.vendored.contains(name) || (name.hasPrefix(".") && name != ".github") {
                        skipped.vendored += 1
                        continue
                    }
                    stack.append(relPath)
                    continue
                }
                guard kind == S_IFREG else { continue }
                let size = Int(st.st_size)
                if size > maxFileBytes {
                    skipped.oversized += 1
                    continue
                }
                guard let data = fm.contents(atPath: full) else { continue }
                let bytes = [UInt8](data)
                if bytes.prefix(8192).contains(0) {
                    skipped.binary += 1
                    continue
                }
                var lines = 0
                for b in bytes where b == 10 { lines += 1 }
                if let last = bytes.last, last != 10 { lines += 1 }
                let module = rel.isEmpty ? "." : String(rel.split(separator: "/").first!)  // replaced by ModuleRules
                files.append(Analysis.File(path: relPath, language: Analyzer.language(of: name), lines: lines, bytes: size, module: module))
                if Analyzer.isReadme(name), readmes[rel] == nil {
                    readmes[rel] = (relPath, String(decoding: bytes, as: UTF8.self))
                }
            }
        }
        files.sort { $0.path < $1.path }
        let rules = ModuleRules.assign(files) { path in Analyzer.readText(root: root, path: path, limit: maxFileBytes) }
        files = rules.files
        var byModule: [String: [Analysis.File]] = [:]
        for f in files where !f.module.isEmpty { byModule[f.module, default: []].append(f) }
        let modules: [Analysis.Module] = byModule.keys.sorted().map { key in
            let r = readmes[key == "." ? "" : key]
            var m = Analysis.Module(path: key, files: byModule[key]!, readme: r?.1, readmePath: r?.0)
            if let info = rules.info[key] {
                m.kind = info.kind
                m.qualifiedName = info.qualifiedName
                m.entryPoints = info.entryPoints
            }
            return m
        }
        let top = readmes[""]
        var analysis = Analysis(files: files, modules: modules, readme: top?.1, readmePath: top?.0, skipped: skipped)
        analysis.layout = rules.layout
        if indexSymbols { try Indexer(root: root, tools: tools).index(&analysis) }
        let resolver = DependencyResolver(files: files, layout: rules.layout)
        analysis.dependencies = resolver.resolve(analysis.imports)
        analysis.examples = ExampleLinker.link(analysis, resolver) { path in Analyzer.readText(root: root, path: path, limit: maxFileBytes) }
        return analysis
    }

    /// A file the walk listed (a regular file inside the clone, under the size limit), as text.
    static func readText(root: String, path: String, limit: Int) -> String? {
        var st = stat()
        let full = "\(root)/\(path)"
        guard lstat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) <= limit,
            let data = FileManager.default.contents(atPath: full)
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
