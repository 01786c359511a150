import ScribeCore
import Foundation

/// Symbols (universal-ctags for its ~130 languages, swift-syntax for Swift), doc comments, imports and the
/// module dependency graph. Runs the tools on both cores and reads every file once more for comments.
public struct Indexer: Sendable {
    public struct Tools: Sendable {
        public var ctags: String? = Subprocess.which("ctags")
        public var swiftSymbols: String? = Indexer.siblingTool("scribe-swift-symbols")
        /// The tree-sitter reader; without it, its languages fall back to ctags and line patterns.
        public var parse: String? = Indexer.siblingTool("scribe-parse")
        public var timeout: Double = 600
        /// A folder where each run writes the files it hands to each tool (`ctags.list`, `parse.list`,
        /// `swift.list`, NUL-separated), so that scripts/bench-docs.sh can time the tools alone over
        /// exactly those files. From `SCRIBE_TOOL_LISTS`; nil writes nothing.
        public var listDir: String? = ProcessInfo.processInfo.environment["SCRIBE_TOOL_LISTS"]
        public init() {}
    }

    let root: String
    let tools: Tools
    /// The parse (the tools' runs) and the comments and imports after it are timed apart.
    var clock = StageClock()
    let maxFileBytes: Int
    let progress: AnalysisProgress?

    public init(root: String, tools: Tools, maxFileBytes: Int = 1 << 20, progress: AnalysisProgress? = nil) {
        self.root = root
        self.tools = tools
        self.maxFileBytes = maxFileBytes
        self.progress = progress
    }

    /// Files per run of the Swift symbol reader: each run reports its progress (and a stop comes between runs),
    /// under a second of work each even on a busy machine, a few milliseconds of start-up.
    static let swiftFilesPerRun = 10

    /// A tool installed next to the running executable (the package's own build products).
    public static func siblingTool(_ name: String) -> String? {
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let p = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return Subprocess.which(name)
    }

    /// Languages ctags is not run on: Swift has its own reader, and prose, data and build files (a Makefile's
    /// variables) declare no API.
    static let ctagsSkip: Set<String> = [
        "Swift", "Markdown", "JSON", "YAML", "TOML", "reStructuredText", "XML", "CSS", "SCSS", "HTML", "Makefile", "CMake",
        "Dockerfile",
    ]

    public func index(_ a: inout Analysis) throws {
        let sources = a.files.filter { $0.language != nil }
        let parsed = tools.parse == nil ? [] : Indexer.parsedLanguages
        let forParse = sources.filter { parsed.contains($0.language!) }.map(\.path)
        let forCtags = sources.filter { !Indexer.ctagsSkip.contains($0.language!) && !parsed.contains($0.language!) }.map(\.path)
        let forSwift = sources.filter { $0.language == "Swift" }.map(\.path)
        progress?.toRead(sources.count)
        // Files no tool reads are done with the tools' pass at once.
        progress?.read(sources.count - forCtags.count - forSwift.count)
        writeToolLists(forCtags: forCtags, forParse: forParse, forSwift: forSwift)
        let toolsPass = try runTools(
            forParse: forParse, forCtags: forCtags, forSwift: forSwift,
            // `.h` files the analysis took for C++ (CModules.settleHeaders) are read with the C++ grammar.
            cppHeaders: sources.contains { $0.language == "C++" && $0.path.lowercased().hasSuffix(".h") })
        var symbols = toolsPass.symbols
        let restStart = DispatchTime.now().uptimeNanoseconds
        defer { clock.add("comments_imports", Double(DispatchTime.now().uptimeNanoseconds - restStart) / 1e9) }

        symbols.removeAll { Indexer.isPlaceholder($0.name) }
        Indexer.dropImpossibleCNames(&symbols)
        Indexer.settleCLinkage(&symbols)
        Indexer.mergePartialTypes(&symbols)
        Indexer.groupOverloads(&symbols)
        Indexer.mergeCDefinitions(&symbols)
        Indexer.mergeTaggedTypedefs(&symbols)

        // Doc comments (where the tool gave none) and imports, file by file, for the languages that no
        // syntax tree covers: the syntax trees' own answers stand for theirs, absent doc comments included.
        let langOf = Dictionary(a.files.map { ($0.path, $0.language) }, uniquingKeysWith: { first, _ in first })
        let paths = sources.filter { !parsed.contains($0.language!) }.map(\.path)
        let facts = readFiles(paths, symbols: symbols, parsed: parsed, languageOf: langOf)
        for f in facts {
            for (i, d) in f.docs { symbols[i].doc = d }
            for (i, e) in f.exports { symbols[i].exported = e }
        }
        symbols.sort { $0.path != $1.path ? $0.path < $1.path : $0.line < $1.line }
        a.symbols = symbols
        a.imports = (facts.flatMap(\.imports) + toolsPass.fromParse.imports).sorted {
            $0.path != $1.path ? $0.path < $1.path : $0.line < $1.line
        }
        a.tools = toolsPass.toolsUsed

        Indexer.attachModuleDocs(
            &a, fromParse: toolsPass.fromParse.fileDocs, fileDocs: facts.map(\.fileDoc), symbols: symbols,
            languageOf: langOf)
    }

    /// The lists of files each tool is handed, for scripts/bench-docs.sh (`SCRIBE_TOOL_LISTS`).
    private func writeToolLists(forCtags: [String], forParse: [String], forSwift: [String]) {
        guard let dir = tools.listDir else { return }
        let lists: [(String, [String])] = [
            ("ctags", tools.ctags == nil ? [] : forCtags), ("parse", tools.parse == nil ? [] : forParse),
            ("swift", tools.swiftSymbols == nil ? [] : forSwift),
        ]
        for (name, list) in lists {
            let bytes: [UInt8] = list.flatMap { Array($0.utf8) + [0] }
            _ = FileManager.default.createFile(atPath: "\(dir)/\(name).list", contents: Data(bytes))
        }
    }

    /// What one file's text gives besides the tools' declarations.
    struct FileFacts: Sendable {
        /// Doc comments found above declarations the tools gave none for: (symbol index, text).
        var docs: [(Int, String)] = []
        /// Whether Rust, JavaScript and TypeScript declarations are public: (symbol index, public).
        var exports: [(Int, Bool)] = []
        var imports: [Import] = []
        /// The file's own doc that may state its module's purpose: (text, path).
        var fileDoc: (String, String)? = nil
    }

    /// Reads each file once, on all cores, for what the tools leave out (see `FileFacts`); `paths[i]`'s facts
    /// are the `i`-th. A stopped run reads nothing more (its caller discards it).
    private func readFiles(
        _ paths: [String], symbols: [Symbol], parsed: Set<String>, languageOf langOf: [String: String?]
    ) -> [FileFacts] {
        var byFile: [String: [Int]] = [:]
        for (i, s) in symbols.enumerated() where s.doc == nil && !parsed.contains(langOf[s.path].flatMap { $0 } ?? "") {
            byFile[s.path, default: []].append(i)
        }
        var exportsByFile: [String: [Int]] = [:]
        for (i, s) in symbols.enumerated()
        where s.exported == nil && (s.language == "Rust" || s.language == "JavaScript" || s.language == "TypeScript") {
            exportsByFile[s.path, default: []].append(i)
        }
        // The same checks as the walk: a regular file of the clone, reached through no link.
        let tree = CloneTree(root: root)
        let (maxBytes, progress) = (maxFileBytes, progress)
        let (needDocs, needExports) = (byFile, exportsByFile)
        return concurrentMap(paths.count) { i in
            if StopSwitch.process.isTripped { return FileFacts() }
            defer { progress?.read() }
            let path = paths[i]
            guard case .bytes(let data) = tree.read(path, maxBytes: maxBytes) else { return FileFacts() }
            let text = String(decoding: data, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let lang = langOf[path] ?? nil
            var facts = FileFacts()
            for si in needDocs[path] ?? [] {
                if let d = SourceText.docComment(lines, at: symbols[si].line - 1, language: lang) { facts.docs.append((si, d)) }
            }
            facts.exports = (needExports[path] ?? []).map { si in (si, Indexer.declaredPublic(symbols[si], lines)) }
            facts.imports = SourceText.imports(lines, language: lang).map {
                Import(path: path, line: $0.line, target: $0.target, relative: $0.relative)
            }
            facts.fileDoc = Indexer.fileDoc(path: path, lines: lines, language: lang).map { ($0, path) }
            return facts
        }
    }

    /// What the tools gave: declarations, and the syntax trees' imports and file docs.
    struct ToolsPass {
        var symbols: [Symbol] = []
        var fromParse = ParseOutput()
        var toolsUsed: [String] = []
    }

    /// Runs the tools at once: two lanes for ctags on two cores, each running ctags once per argument-sized
    /// chunk; Swift files go to the swift-syntax tool alongside; the syntax trees in two processes. The first
    /// error of any lane is thrown.
    func runTools(forParse: [String], forCtags: [String], forSwift: [String], cppHeaders: Bool) throws -> ToolsPass {
        let pass = Locked(ToolsPass())
        var toolsUsed: [String] = []
        var jobs: [@Sendable () throws -> [Symbol]] = []
        if let ctags = tools.ctags, !forCtags.isEmpty {
            toolsUsed.append("universal-ctags")
            let half = (forCtags.count + 1) / 2
            for lane in [Array(forCtags[..<half]), Array(forCtags[half...])] where !lane.isEmpty {
                jobs.append { try Indexer.argumentChunks(lane).flatMap { try runCtags(ctags, $0) } }
            }
        }
        if let tool = tools.swiftSymbols, !forSwift.isEmpty {
            toolsUsed.append("swift-syntax")
            jobs.append {
                try stride(from: 0, to: forSwift.count, by: Indexer.swiftFilesPerRun).flatMap {
                    try runSwiftSymbols(tool, Array(forSwift[$0..<min($0 + Indexer.swiftFilesPerRun, forSwift.count)]))
                }
            }
        }
        if let tool = tools.parse, !forParse.isEmpty {
            toolsUsed.append("tree-sitter")
            // Two processes, one a core; each yields its symbols here and the rest through the lock.
            let half = (forParse.count + 1) / 2
            for chunk in [Array(forParse[..<half]), Array(forParse[half...])] where !chunk.isEmpty {
                jobs.append {
                    let out = try runParse(tool, chunk, cppHeaders: cppHeaders)
                    pass.withLock { p in
                        p.fromParse.imports += out.imports
                        p.fromParse.fileDocs += out.fileDocs
                    }
                    return out.symbols
                }
            }
        }
        let firstError = Locked<Error?>(nil)
        let parseStart = DispatchTime.now().uptimeNanoseconds
        let lanes = jobs
        DispatchQueue.concurrentPerform(iterations: lanes.count) { i in
            do {
                let s = try lanes[i]()
                pass.withLock { $0.symbols.append(contentsOf: s) }
            } catch {
                firstError.withLock { $0 = $0 ?? error }
            }
        }
        clock.add("parse", Double(DispatchTime.now().uptimeNanoseconds - parseStart) / 1e9)
        if let error = firstError.current { throw error }
        var result = pass.current
        result.toolsUsed = toolsUsed
        return result
    }

    /// Module-level purpose from the source: Go package docs, Python package docstrings, Rust `//!`.
    static func attachModuleDocs(
        _ a: inout Analysis, fromParse: [(path: String, doc: String)], fileDocs: [(String, String)?], symbols: [Symbol],
        languageOf langOf: [String: String?]
    ) {
        let moduleOf = Dictionary(a.files.map { ($0.path, $0.module) }, uniquingKeysWith: { first, _ in first })
        for (path, text) in fromParse.sorted(by: { $0.path < $1.path }) where Indexer.isModuleDoc(path: path, language: langOf[path] ?? nil) {
            guard let m = moduleOf[path], a.moduleDocs[m] == nil else { continue }
            a.moduleDocs[m] = (text, path)
        }
        for case let (text, path)? in fileDocs {
            guard let m = moduleOf[path], a.moduleDocs[m] == nil else { continue }
            a.moduleDocs[m] = (text, path)
        }
        for s in symbols where s.kind == "package" && s.language == "Go" {
            guard let m = moduleOf[s.path], a.moduleDocs[m] == nil, let d = s.doc else { continue }
            a.moduleDocs[m] = (d, s.path)
        }
    }

    /// Which files' own docs state their module's purpose: a Python package's `__init__.py`, a Rust crate
    /// or module root, any file of a Go package (its package comment), a JavaScript `@file`/`@module` block.
    static func isModuleDoc(path: String, language: String?) -> Bool {
        let name = (path as NSString).lastPathComponent
        switch language {
        case "Python": return name == "__init__.py"
        case "Rust": return ["lib.rs", "mod.rs", "main.rs"].contains(name)
        case "Go": return !name.hasSuffix("_test.go")
        default: return true
        }
    }

    /// Rust items are public with `pub` (not `pub(crate)` or narrower); JS/TS top-level items when exported.
    static func declaredPublic(_ s: Symbol, _ lines: [Substring]) -> Bool {
        guard s.line >= 1, s.line <= lines.count else { return false }
        let text = lines[s.line - 1].trimmed
        if s.language == "Rust" {
            // Trait items and enum variants share their parent's visibility.
            if s.scopeKind == "interface" || s.scopeKind == "enum" { return true }
            return text.hasPrefix("pub ")
        }
        if s.scope != nil { return !(text.hasPrefix("#") || text.hasPrefix("private ")) }  // class members: public unless private
        return text.hasPrefix("export ")
    }

    static func fileDoc(path: String, lines: [Substring], language: String?) -> String? {
        let name = CloneTree.lastComponent(path)
        if language == "Python" && name == "__init__.py" {
            var i = 0
            while i < lines.count && (lines[i].trimmingCharacters(in: .whitespaces).isEmpty || lines[i].hasPrefix("#")) { i += 1 }
            guard i < lines.count else { return nil }
            // Reuse the docstring reader by pretending line i-1 was a header ending with ':'.
            let fake = [Substring("module:")] + lines[i...]
            return SourceText.pythonDocstring(Array(fake), at: 0)
        }
        if language == "Rust" && ["lib.rs", "mod.rs", "main.rs"].contains(name) {
            var out: [String] = []
            for l in lines {
                let t = l.trimmingCharacters(in: .whitespaces)
                if t.hasPrefix("//!") { out.append(String(t.dropFirst(3))) } else if !out.isEmpty || !(t.isEmpty || t.hasPrefix("#![")) { break }
            }
            return SourceText.clean(out)
        }
        return nil
    }

    // MARK: Tools

    /// Arguments per tool run: far below Linux's limit for a command line (2 MiB with the environment).
    static let maxArgumentBytes = 96 * 1024

    /// Paths split into lists whose arguments fit one command line.
    static func argumentChunks(_ paths: [String]) -> [[String]] {
        var chunks: [[String]] = []
        var current: [String] = []
        var bytes = 0
        for p in paths {
            let n = p.utf8.count + 3  // "./" and the NUL
            if !current.isEmpty && bytes + n > maxArgumentBytes {
                chunks.append(current)
                current = []
                bytes = 0
            }
            current.append(p)
            bytes += n
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// ctags reads its file names from arguments, never from a list: `-L` takes one name per line and
    /// honours option lines, so a name with a newline could add a name or an option of its own. Each name
    /// starts with `./` (ctags 5.9 has no `--`, and nothing starting with `./` is an option), and
    /// `--options=NONE`, which must come first, keeps ctags from reading option files, `.ctags.d/` of the
    /// clone (its working folder) included.
    private func runCtags(_ ctags: String, _ files: [String]) throws -> [Symbol] {
        let r = try Subprocess.run(
            ctags,
            ["--options=NONE", "--output-format=json", "--fields=+nKSseaZlti", "--sort=no", "--extras=-F", "-f", "-"]
                + files.map { "./" + $0 },
            env: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory()],
            cwd: root, timeout: tools.timeout, maxOutput: 1 << 30)
        guard r.status == 0, !r.timedOut else {
            throw PipelineError.transient("ctags failed: \(Analysis.displayName(Indexer.firstLine(r)))")
        }
        let tags = Indexer.parseTags(r.stdout, strippingPrefix: "./")
        progress?.read(files.count, declarations: tags.count)
        return tags
    }

    /// The Swift symbol reader takes its list NUL-separated from a file of ours (`--files-from PATH --null`):
    /// no name is ever an argument, so none can be an option or split in two.
    private func runSwiftSymbols(_ tool: String, _ files: [String]) throws -> [Symbol] {
        let list = NSTemporaryDirectory() + "scribe-swift-list-\(UUID().uuidString)"
        var bytes: [UInt8] = []
        for f in files { bytes += Array(f.utf8) + [0] }
        let private0600: [FileAttributeKey: Any] = [.posixPermissions: 0o600]
        guard FileManager.default.createFile(atPath: list, contents: Data(bytes), attributes: private0600) else {
            throw PipelineError.transient("cannot write the Swift symbol reader's file list")
        }
        defer { unlink(list) }
        let r = try Subprocess.run(
            tool, ["--root", root, "--null", "--files-from", list],
            env: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"], timeout: tools.timeout,
            maxOutput: 1 << 30)
        guard r.status == 0, !r.timedOut else {
            let reason = Analysis.displayName(Indexer.firstLine(r))
            throw PipelineError.transient("the Swift symbol reader failed: \(reason)")
        }
        let tags = Indexer.parseTags(r.stdout)
        progress?.read(files.count, declarations: tags.count)
        return tags
    }

    static func firstLine(_ r: Subprocess.Result) -> String {
        // ctags' notice that it reads no option files is not the reason it failed.
        let line = r.stderr.split(separator: "\n").first { !$0.contains("Notice:") }
        return String(line ?? "exit \(r.status)").prefix(300).description
    }

    /// Reads ctags-style JSON lines (`"_type": "tag"`); other lines are ignored.
    static func parseTags(_ bytes: [UInt8], strippingPrefix prefix: String? = nil) -> [Symbol] {
        var out: [Symbol] = []
        for line in bytes.split(separator: 10) {
            guard let v = try? JSONValue.parse(Array(line)), v["_type"]?.stringValue == "tag",
                let name = v["name"]?.stringValue, var path = v["path"]?.stringValue, let lineNo = v["line"]?.intValue
            else { continue }
            if let prefix, path.hasPrefix(prefix) {
                path = String(decoding: path.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
            }
            var s = Symbol(
                name: name, kind: v["kind"]?.stringValue ?? "unknown", path: path, line: Int(lineNo),
                end: v["end"]?.intValue.map(Int.init), signature: v["signature"]?.stringValue, scope: v["scope"]?.stringValue,
                scopeKind: v["scopeKind"]?.stringValue, access: v["access"]?.stringValue,
                typeref: v["typeref"]?.stringValue, fileScoped: v["file"]?.boolValue ?? false,
                language: v["language"]?.stringValue, doc: v["doc"]?.stringValue)
            s.inherits = (v["inherits"]?.stringValue ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            out.append(s)
        }
        return out
    }
}
