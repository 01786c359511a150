import Foundation

/// What a newcomer needs first, read from the code and the manifests, each fact with the line it comes from:
/// install/build/test/run commands, entry points, HTTP routes and environment variables with their literal
/// defaults. Only what is written literally is taken; nothing is inferred.
public struct ProjectFacts: Sendable {
    public struct Fact: Sendable, Equatable {
        /// What the fact shows (a command, an executable, a route's path, a variable's name).
        public let text: String
        /// A second literal when there is one: the route's method, the variable's default, the command's kind.
        public let detail: String?
        public let path: String
        public let line: Int
    }

    public var commands: [Fact] = []
    public var entryPoints: [Fact] = []
    public var routes: [Fact] = []
    public var environment: [Fact] = []
    /// Commands from the READMEs of modules below the root, shown on those modules' pages only.
    public var moduleCommands: [Fact] = []
    /// ArgumentParser, cobra, click and argparse declarations while the files are read; resolved into entry
    /// points at the end, when every file of a tree is known.
    var argumentParser = ArgumentParserTree()
    var cobra = CobraTree()
    var python = PythonCommandTree()

    public init() {}

    public var all: [Fact] { commands + entryPoints + routes + environment + moduleCommands }

    static let maxEach = 40
    static let commandHeadings = ["install", "build", "test", "run", "usage", "getting started", "quick start", "quickstart", "develop", "setup", "set up"]

    /// Reads the facts of the repository's files through `read` (text of a file, nil when unreadable).
    static func collect(_ a: Analysis, read: (String) -> String?) -> ProjectFacts {
        var f = ProjectFacts()
        if let path = a.readmePath, let text = a.readme { f.commands += readmeCommands(text, path: path) }
        for m in a.modules where m.readmePath != a.readmePath {
            if let path = m.readmePath, let text = m.readme { f.moduleCommands += readmeCommands(text, path: path).prefix(maxEach) }
        }
        for file in a.files {
            let name = CloneTree.lastComponent(file.path)
            let isManifest = ["package.json", "pyproject.toml", "Cargo.toml", "Package.swift", "Makefile", "setup.cfg"].contains(name)
            // An example's or a test's manifest declares that example's commands, not the project's.
            let projectFile = file.role == .source || file.role == .other
            guard projectFile, isManifest || (file.role == .source && file.language != nil) else { continue }
            guard let text = read(file.path) else { continue }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            switch name {
            case "package.json": manifestPackageJSON(lines, file.path, &f)
            case "pyproject.toml", "setup.cfg": manifestPython(lines, file.path, &f)
            case "Cargo.toml": manifestCargo(lines, file.path, &f)
            case "Package.swift": manifestSwiftPM(lines, file.path, &f)
            case "Makefile": manifestMake(lines, file.path, &f)
            default: sourceFacts(lines, file, &f)
            }
        }
        f.resolvePython(a)
        f.resolveArgumentParser()
        f.resolveCobra()
        f.commands = Array(dedupe(f.commands).prefix(maxEach))
        f.entryPoints = Array(dedupe(f.entryPoints).prefix(maxEach))
        f.routes = Array(dedupe(f.routes).prefix(maxEach))
        f.environment = Array(dedupe(f.environment, byText: true).prefix(maxEach))
        return f
    }

    /// The facts of one module's own scope: those read from its files, from a manifest in its folder and
    /// from its own README.
    public func scoped(to m: Analysis.Module, _ a: Analysis) -> ProjectFacts {
        let own = Set(m.files.map(\.path))
        let folder = m.path == "." ? "" : m.path
        // A manifest or README in the module's own folder belongs to it.
        func inScope(_ x: Fact) -> Bool { own.contains(x.path) || CloneTree.parent(x.path) == folder }
        var out = ProjectFacts()
        out.commands = (commands + moduleCommands).filter(inScope)
        out.entryPoints = entryPoints.filter(inScope)
        out.routes = routes.filter(inScope)
        out.environment = environment.filter(inScope)
        return out
    }

    static func dedupe(_ facts: [Fact], byText: Bool = false) -> [Fact] {
        var seen = Set<String>()
        return facts.filter { seen.insert(byText ? $0.text : "\($0.detail ?? "") \($0.text)").inserted }
    }

    /// Shell lines of the fenced blocks under README headings about installing, building, testing or running.
    static func readmeCommands(_ text: String, path: String) -> [Fact] {
        var out: [Fact] = []
        var section: String? = nil
        var fence: String? = nil
        var shell = false
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let f = fence {
                if line.hasPrefix(f) { fence = nil; continue }
                guard shell, let s = section, !line.isEmpty, !line.hasPrefix("#"), line.count <= 200 else { continue }
                let cmd = line.hasPrefix("$ ") ? String(line.dropFirst(2)) : line
                out.append(Fact(text: cmd, detail: s, path: path, line: i + 1))
                continue
            }
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                fence = String(line.prefix { $0 == line.first })
                let lang = line.drop { $0 == "`" || $0 == "~" }.trimmingCharacters(in: .whitespaces).lowercased()
                shell = ["", "sh", "bash", "shell", "console", "zsh", "shell-session", "powershell", "cmd"].contains(lang)
                continue
            }
            if line.hasPrefix("#") {
                let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                let l = title.lowercased()
                section = commandHeadings.contains { l.contains($0) } ? title : nil
            }
        }
        return out
    }

    /// The line (1-based) of the first line at or after `from` that contains `needle`.
    static func lineOf(_ lines: [String], _ needle: String, from: Int = 0) -> Int? {
        for i in from..<lines.count where lines[i].contains(needle) { return i + 1 }
        return nil
    }

    static func manifestPackageJSON(_ lines: [String], _ path: String, _ f: inout ProjectFacts) {
        guard let data = lines.joined(separator: "\n").data(using: .utf8),
            let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return }
        if let scripts = obj["scripts"] as? [String: Any], let start = lineOf(lines, "\"scripts\"") {
            for key in scripts.keys.sorted() where ["start", "test", "build", "dev", "serve", "lint"].contains(key) {
                if let l = lineOf(lines, "\"\(key)\"", from: start - 1) {
                    f.commands.append(Fact(text: key == "start" || key == "test" ? "npm \(key)" : "npm run \(key)", detail: "package.json script", path: path, line: l))
                }
            }
        }
        if let bin = obj["bin"] as? [String: Any], let start = lineOf(lines, "\"bin\"") {
            for key in bin.keys.sorted() { if let l = lineOf(lines, "\"\(key)\"", from: start - 1) { f.entryPoints.append(Fact(text: key, detail: "package.json bin", path: path, line: l)) } }
        } else if let bin = obj["bin"] as? String, let name = obj["name"] as? String, let l = lineOf(lines, "\"bin\"") {
            _ = bin
            f.entryPoints.append(Fact(text: name, detail: "package.json bin", path: path, line: l))
        }
    }

    static func manifestPython(_ lines: [String], _ path: String, _ f: inout ProjectFacts) {
        var inScripts = false
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { inScripts = line == "[project.scripts]" || line == "[tool.poetry.scripts]" || line == "[options.entry_points]"; continue }
            guard inScripts, let eq = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            if !name.isEmpty && name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) {
                f.entryPoints.append(Fact(text: name, detail: "console script", path: path, line: i + 1))
            }
        }
    }

    static func manifestCargo(_ lines: [String], _ path: String, _ f: inout ProjectFacts) {
        var inBin = false
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { inBin = line == "[[bin]]"; continue }
            if inBin, line.hasPrefix("name"), let v = quoted(line) { f.entryPoints.append(Fact(text: v, detail: "Cargo binary", path: path, line: i + 1)) }
        }
    }

    static func manifestSwiftPM(_ lines: [String], _ path: String, _ f: inout ProjectFacts) {
        for (i, line) in lines.enumerated() where line.contains(".executableTarget(") || line.contains(".executable(") {
            var j = i
            while j < min(lines.count, i + 3) {
                if let r = lines[j].range(of: "name:"), let v = quoted(String(lines[j][r.upperBound...])) {
                    f.entryPoints.append(Fact(text: v, detail: "SwiftPM executable", path: path, line: j + 1))
                    f.commands.append(Fact(text: "swift run \(v)", detail: "SwiftPM executable", path: path, line: j + 1))
                    break
                }
                j += 1
            }
        }
    }

    static func manifestMake(_ lines: [String], _ path: String, _ f: inout ProjectFacts) {
        for (i, line) in lines.enumerated() {
            for t in ["install", "build", "test", "run", "check", "all"] where line.hasPrefix("\(t):") {
                f.commands.append(Fact(text: "make \(t)", detail: "Makefile target", path: path, line: i + 1))
            }
        }
    }

    /// The first string literal of a line.
    static func quoted(_ s: String) -> String? {
        guard let q = s.firstIndex(where: { $0 == "\"" || $0 == "'" }) else { return nil }
        let rest = s[s.index(after: q)...]
        guard let end = rest.firstIndex(of: s[q]) else { return nil }
        let v = String(rest[..<end])
        return v.isEmpty ? nil : v
    }

    // Routes and environment variables as the common frameworks and standard libraries write them.
    static let routePatterns: [(language: Set<String>, regex: NSRegularExpression, method: Int?, path: Int)] = [
        (["Python"], re(#"^\s*@\w+(?:\.\w+)*\.(get|post|put|delete|patch|route|api_route)\(\s*["']([^"']+)["']"#), 1, 2),
        (["JavaScript", "TypeScript"], re(#"\b(?:app|router|server|api|fastify)\.(get|post|put|delete|patch|all)\(\s*["'`](/[^"'`]*)["'`]"#), 1, 2),
        (["Go"], re(#"\b(?:http|mux|r|router|e|g|app)\.(HandleFunc|Handle|GET|POST|PUT|DELETE|PATCH|Get|Post|Put|Delete)\(\s*"([^"]+)""#), 1, 2),
        (["Swift"], re(#"\b(?:app|router|routes|group)\.(get|post|put|delete|patch)\(\s*"([^"]*)""#), 1, 2),
    ]
    static let envPatterns: [(language: Set<String>, regex: NSRegularExpression)] = [
        (["Python"], re(#"\bos\.(?:environ\.get|getenv)\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*(?:,\s*("[^"]*"|'[^']*'|-?\d+(?:\.\d+)?))?"#)),
        (["Python"], re(#"\bos\.environ\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]()"#)),
        (["JavaScript", "TypeScript"], re(#"\bprocess\.env\.([A-Za-z_][A-Za-z0-9_]*)(?:\s*(?:\|\||\?\?)\s*("[^"]*"|'[^']*'|-?\d+))?"#)),
        (["Go"], re(#"\bos\.(?:Getenv|LookupEnv)\(\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\)()"#)),
        (["Swift"], re(#"\benvironment\[\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\](?:\s*\?\?\s*("[^"]*"|-?\d+))?"#)),
        (["Rust"], re(#"\benv::var\(\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\)(?:\.unwrap_or\(\s*("[^"]*"|-?\d+))?"#)),
        (["C", "C++"], re(#"\bgetenv\(\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\)()"#)),
    ]

    static func re(_ p: String) -> NSRegularExpression { try! NSRegularExpression(pattern: p) }  // literals above

    static func sourceFacts(_ lines: [String], _ file: Analysis.File, _ f: inout ProjectFacts) {
        guard let lang = file.language else { return }
        if lang == "Go", lines.prefix(40).contains(where: { $0.hasPrefix("package main") }), lines.contains(where: { $0.hasPrefix("func main()") }) {
            let l = (lines.firstIndex { $0.hasPrefix("func main()") } ?? 0) + 1
            f.entryPoints.append(Fact(text: CloneTree.parent(file.path), detail: "Go main package", path: file.path, line: l))
        }
        if lang == "Python", let i = lines.firstIndex(where: { $0.hasPrefix("if __name__ == ") && $0.contains("__main__") }) {
            f.entryPoints.append(Fact(text: file.path, detail: "Python script", path: file.path, line: i + 1))
        }
        commandTree(lines, file, &f)
        for (i, line) in lines.enumerated() where line.count < 400 {
            let ns = line as NSString
            let range = NSRange(location: 0, length: ns.length)
            for p in routePatterns where p.language.contains(lang) {
                for m in p.regex.matches(in: line, range: range) {
                    let method = p.method.map { ns.substring(with: m.range(at: $0)).uppercased() }
                    let shown = method == "HANDLEFUNC" || method == "HANDLE" || method == "ROUTE" || method == "ALL" ? "ANY" : method
                    f.routes.append(Fact(text: ns.substring(with: m.range(at: p.path)), detail: shown, path: file.path, line: i + 1))
                }
            }
            for p in envPatterns where p.language.contains(lang) {
                for m in p.regex.matches(in: line, range: range) {
                    let name = ns.substring(with: m.range(at: 1))
                    let d = m.numberOfRanges > 2 && m.range(at: 2).location != NSNotFound && m.range(at: 2).length > 0
                        ? ns.substring(with: m.range(at: 2)) : nil
                    f.environment.append(Fact(text: name, detail: d, path: file.path, line: i + 1))
                }
            }
        }
    }
}
