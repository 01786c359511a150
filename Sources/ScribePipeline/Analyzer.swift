import Foundation

/// Walks a clone and builds the `Analysis`. Never follows a symbolic link (lstat), never reads a file over
/// the size limit, never executes anything.
public struct Analyzer: Sendable {
    public var maxFileBytes = 1 << 20
    public var indexSymbols = true
    public var tools = Indexer.Tools()
    /// Where the stages' times go, when someone measures them.
    public var clock: StageClock? = nil
    /// Counts what the analysis has done, for a caller that reports it while the analysis runs.
    public var progress: AnalysisProgress? = nil

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

    /// Paths longer than this (bytes, relative to the clone) or folders deeper than `maxDepth` are skipped and
    /// counted: every tool must be able to open what it is given, well within PATH_MAX.
    public var maxPathBytes = 2048
    public var maxDepth = 64

    /// What the walk has found so far.
    struct Walk {
        var files: [Analysis.File] = []
        var skipped = Analysis.Skipped()
        var readmes: [String: (String, String)] = [:]  // dir -> (path, text)
        var seen: Set<String> = []  // relative paths, compared as Swift compares strings
    }

    public func analyze(root: String) throws -> Analysis {
        let clock = self.clock ?? StageClock()
        let start = DispatchTime.now().uptimeNanoseconds
        var indexing = 0.0
        defer { clock.add("modules", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 - indexing) }
        let tree = CloneTree(root: root)
        let rootFD = tree.openDirectory([])
        guard rootFD >= 0 else { throw PipelineError.transient("cannot open the repository's folder") }
        defer { close(rootFD) }
        var w = Walk()
        walk(rootFD, [], &w)
        var files = w.files
        let skipped = w.skipped
        let readmes = w.readmes
        files.sort { $0.path < $1.path }
        CModules.settleHeaders(&files)
        let read = { (path: String) -> String? in
            guard case .bytes(let b) = tree.read(path, maxBytes: maxFileBytes) else { return nil }
            return String(decoding: b, as: UTF8.self)
        }
        let rules = ModuleRules.assign(files, read: read)
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
        if indexSymbols {
            let t = DispatchTime.now().uptimeNanoseconds
            defer { indexing = Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9 }
            var indexer = Indexer(root: root, tools: tools, maxFileBytes: maxFileBytes, progress: progress)
            indexer.clock = clock
            try indexer.index(&analysis)
        }
        // A Swift target's DocC catalog states its purpose, before any other text of the module.
        let allPaths = files.map(\.path)
        for m in analysis.modules where m.kind == "SwiftPM target" {
            guard let name = m.qualifiedName,
                let d = SwiftModules.doccAbstract(target: name, folder: m.path, paths: allPaths, read: read)
            else { continue }
            analysis.moduleDocs[m.path] = d
        }
        let resolver = DependencyResolver(files: files, layout: rules.layout)
        analysis.dependencies = resolver.resolve(analysis.imports)
        analysis.examples = ExampleLinker.link(analysis, resolver, read: read)
        try addDataObjects(&analysis, root: root, read: read)
        analysis.facts = ProjectFacts.collect(analysis, read: read)
        return analysis
    }

    /// Reads one folder (an open descriptor) and, depth first, its subfolders. Names are taken as bytes and
    /// accepted only when they are UTF-8 and unique in their folder; links, special files, vendored folders and
    /// what is too large, too long or too deep are counted, never opened.
    func walk(_ dirFD: Int32, _ parts: [String], _ w: inout Walk) {
        let folder = Folder(fd: dirFD, parts: parts, rel: parts.joined(separator: "/"))
        var names: Set<String> = []
        for entry in CloneTree.entries(of: dirFD).sorted(by: { $0.name.lexicographicallyPrecedes($1.name) }) {
            // A stopped job's caller discards what was found (JobRunner.stoppable).
            if StopSwitch.process.isTripped { return }
            guard let admitted = admit(entry, in: folder.rel, &names, &w) else { continue }
            let (name, relPath) = admitted
            switch entry.kind {
            case S_IFLNK:
                w.skipped.symlinks += 1
            case S_IFDIR:
                enter(name, from: folder, &w)
            case S_IFREG:
                addFile(entry, name, relPath, in: folder, &w)
            default:
                w.skipped.special += 1
            }
        }
    }

    /// The folder `walk` is reading: its open descriptor, its path's parts, and that path.
    private struct Folder {
        let fd: Int32
        let parts: [String]
        let rel: String
    }

    /// The entry's name and path when the walk may look at it: not `.git`, UTF-8, unique in its folder and
    /// in the clone, and short enough. What is refused is counted.
    private func admit(
        _ entry: CloneTree.Entry, in rel: String, _ names: inout Set<String>, _ w: inout Walk
    ) -> (name: String, relPath: String)? {
        if entry.name == Array(".git".utf8) { return nil }
        guard let name = String(validating: entry.name, as: UTF8.self) else {
            w.skipped.invalidNames += 1
            return nil
        }
        let relPath = rel.isEmpty ? name : "\(rel)/\(name)"
        guard names.insert(name).inserted, w.seen.insert(relPath).inserted else {
            w.skipped.equivalentNames += 1
            return nil
        }
        if relPath.utf8.count > maxPathBytes {
            w.skipped.tooDeep += 1
            return nil
        }
        return (name, relPath)
    }

    /// Walks a subfolder unless it is vendored, hidden (but `.github`), too deep or cannot be opened.
    private func enter(_ name: String, from folder: Folder, _ w: inout Walk) {
        if Analyzer.vendored.contains(name) || (name.hasPrefix(".") && name != ".github") {
            w.skipped.vendored += 1
        } else if folder.parts.count + 1 > maxDepth {
            w.skipped.tooDeep += 1
        } else {
            let sub = openat(folder.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard sub >= 0 else {
                w.skipped.unreadable += 1
                return
            }
            walk(sub, folder.parts + [name], &w)
            close(sub)
        }
    }

    /// Records a regular file that is within the size limit and not binary, with its line count, and keeps
    /// the text of a folder's README.
    private func addFile(
        _ entry: CloneTree.Entry, _ name: String, _ relPath: String, in folder: Folder, _ w: inout Walk
    ) {
        if entry.size > maxFileBytes {
            w.skipped.oversized += 1
            return
        }
        let bytes: [UInt8]
        switch CloneTree.read(in: folder.fd, name, maxBytes: maxFileBytes) {
        case .bytes(let b): bytes = b
        case .tooLarge: w.skipped.oversized += 1; return
        case .notRegular: w.skipped.special += 1; return
        case .unreadable: w.skipped.unreadable += 1; return
        }
        if bytes.prefix(8192).contains(0) {
            w.skipped.binary += 1
            return
        }
        var lines = 0
        for b in bytes where b == 10 { lines += 1 }
        if let last = bytes.last, last != 10 { lines += 1 }
        let module = folder.parts.first ?? "."  // replaced by ModuleRules
        let language = Analyzer.language(of: name)
        w.files.append(
            Analysis.File(path: relPath, language: language, lines: lines, bytes: bytes.count, module: module))
        progress?.found()
        if Analyzer.isReadme(name), w.readmes[folder.rel] == nil {
            w.readmes[folder.rel] = (relPath, String(decoding: bytes, as: UTF8.self))
        }
    }
}
