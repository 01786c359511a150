import Foundation

/// click and argparse command trees, gathered over every Python file and joined when all are read, like
/// cobra's and ArgumentParser's: a click group's commands often sit in other files (`@cli.command()` in a
/// module that imports `cli`, `cli.add_command(x)` with `x` imported), and argparse subparsers are often
/// added by a function of another file that is handed the parser or its subparsers. Names cross files only
/// through the import statements the parser read; only literal command names are taken.
extension ProjectFacts {
    struct PythonCommandTree: Sendable {
        /// A function decorated `@click.group`/`@click.command` (no owner) or `@x.group`/`@x.command`.
        struct ClickDeclaration: Sendable {
            let path: String
            let function: String
            let owner: String?
            let isGroup: Bool
            /// As click names it: the decorator's `name`, else the function's name.
            let name: String
            /// Where that name is written.
            let line: Int
        }

        /// `group.add_command(command)` or `group.add_command(command, "name")`.
        struct ClickAdd: Sendable {
            let path: String
            let group: String
            let command: String
            let name: String?
            let line: Int
        }

        /// What an argparse variable holds, as far as its own file tells.
        indirect enum Value: Sendable, Hashable {
            case root
            /// A function's parameter: whatever its callers pass.
            case parameter(function: String, index: Int)
            case subparsers(of: Value)
            case parser(in: Value, name: String)
        }

        /// `subparsers.add_parser("name")`.
        struct AddParser: Sendable {
            let subparsers: Value
            let name: String
            let path: String
            let line: Int
        }

        struct Argument: Sendable {
            let keyword: String?
            let value: Value?
        }

        /// A call that hands an argparse parser or subparsers object to a function.
        struct Call: Sendable {
            let path: String
            let callee: String
            let arguments: [Argument]
        }

        struct Function: Sendable {
            let parameters: [String]
            /// Its first parameter is `self` or `cls`, which a call through an object does not pass.
            let isMethod: Bool
        }

        var click: [ClickDeclaration] = []
        var adds: [ClickAdd] = []
        var parsers: [AddParser] = []
        var calls: [Call] = []
        var functions: [String: Function] = [:]  // "path\0name"
        var aliases: [String: [String: String]] = [:]  // path → name bound by `as` → the name imported

        static func key(_ path: String, _ name: String) -> String { "\(path)\u{0}\(name)" }
    }

    static let clickDecorator = re(#"^\s*@(\w+)\.(group|command)\b(?:\(\s*(?:name\s*=\s*)?(?:["']([^"']+)["'])?)?"#)
    static let pythonDef = re(#"^\s*(?:async\s+)?def\s+(\w+)\s*\("#)
    static let addParser = re(#"\b(\w+)\.add_parser\(\s*["']([^"']+)["']"#)
    static let addSubparsers = re(#"\b(\w+)\s*=\s*(\w+)\.add_subparsers\("#)
    static let assignParser = re(#"\b(\w+)\s*=\s*\w+\.add_parser\(\s*["']([^"']+)["']"#)
    static let newParser = re(#"\b(\w+)\s*=\s*(?:argparse\.)?ArgumentParser\("#)
    static let clickAddCommand = re(
        #"\b(\w+)\.add_command\(\s*([A-Za-z_][\w.]*)\s*(?:,\s*(?:name\s*=\s*)?["']([^"']+)["'])?"#)
    static let pythonCall = re(#"([A-Za-z_][\w.]*)\(([^()]*)\)"#)
    static let importAlias = re(#"\b([\w.]+)\s+as\s+(\w+)"#)

    /// click: a group or command is the decorated function, named by the decorator's `name` or by the
    /// function's name in lower case with `_` as `-`, as click names it; argparse: each `add_parser` under
    /// the parser whose `add_subparsers` it is called on. Both are joined over files in `resolvePython`.
    static func pythonCommands(_ lines: [String], _ path: String, _ f: inout ProjectFacts) {
        var scan = PythonCommandScan(path: path)
        var headerEnd = -1  // the last line of a `def` whose parameters run over several lines
        var inString: String? = nil  // the triple quote of a string still open
        for (i, line) in lines.enumerated() where i > headerEnd {
            // A docstring's example (`@click.group()` in click's own docs) declares nothing.
            let startsInString = inString != nil
            inString = tripleQuote(after: line, open: inString)
            guard !startsInString, line.count < 400 else { continue }
            let body = line.drop { $0 == " " || $0 == "\t" }
            guard !body.isEmpty, !body.hasPrefix("#") else { continue }
            scan.leaveScopes(indent: line.count - body.count)
            let l = PythonCommandScan.Line(text: line, number: i + 1)
            if body.hasPrefix("from ") || body.hasPrefix("import ") || scan.inImport {
                scan.readImport(l, body, &f)
            } else if let m = clickDecorator.firstMatch(in: line, range: l.range), let owner = l.group(m, 1) {
                scan.pending = (owner == "click" ? nil : owner, l.group(m, 2) == "group", l.group(m, 3), i + 1)
            } else if let m = pythonDef.firstMatch(in: line, range: l.range), let fn = l.group(m, 1) {
                headerEnd = scan.readDef(fn, l, lines, indent: line.count - body.count, &f)
            } else {
                scan.readStatement(l, &f)
            }
        }
    }

    /// The triple quote (`\"\"\"` or `'''`) of a string still open after `line`, given the one open before it.
    static func tripleQuote(after line: String, open: String?) -> String? {
        var open = open
        var rest = Substring(line)
        while true {
            if let q = open {
                guard let r = rest.range(of: q) else { return q }
                rest = rest[r.upperBound...]
                open = nil
            } else {
                let dq = rest.range(of: "\"\"\""), sq = rest.range(of: "'''")
                guard let r = [dq, sq].compactMap({ $0 }).min(by: { $0.lowerBound < $1.lowerBound }) else { return nil }
                if let hash = rest.firstIndex(of: "#"), hash < r.lowerBound { return nil }  // in a comment
                open = String(rest[r])
                rest = rest[r.upperBound...]
            }
        }
    }

    /// The parameter names of the `def` on line `from` (which may run over several lines), without `*`,
    /// `/`, annotations and defaults, and the line its parameter list ends on.
    static func parameters(_ lines: [String], from: Int) -> (names: [String], end: Int) {
        var text = ""
        var depth = 0
        var started = false
        var end = from
        outer: for (n, line) in lines[from..<min(lines.count, from + 30)].enumerated() {
            end = from + n
            for c in line {
                if c == "(" {
                    depth += 1
                    if !started {
                        started = true
                        continue
                    }
                }
                if c == ")" {
                    depth -= 1
                    if started && depth == 0 { break outer }
                }
                if started { text.append(c) }
            }
            text.append(" ")
        }
        let names = splitTopLevel(text).compactMap { p -> String? in
            let name = p.prefix { $0 != ":" && $0 != "=" }.trimmingCharacters(in: .whitespaces)
            return name.isEmpty || name.hasPrefix("*") || name == "/" ? nil : name
        }
        return (names, end)
    }

    /// `a, f(b, c), [d]` → `a`, `f(b, c)`, `[d]`.
    static func splitTopLevel(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var depth = 0
        for c in s {
            if "([{".contains(c) { depth += 1 }
            if ")]}".contains(c) { depth -= 1 }
            if c == ",", depth == 0 {
                out.append(cur)
                cur = ""
            } else {
                cur.append(c)
            }
        }
        if !cur.trimmingCharacters(in: .whitespaces).isEmpty { out.append(cur) }
        return out.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The click and argparse commands with their full paths, joined over files through the imports.
    mutating func resolvePython(_ a: Analysis) {
        let tree = python
        python = PythonCommandTree()
        guard !tree.click.isEmpty || !tree.parsers.isEmpty else { return }
        let names = PythonNames(a, aliases: tree.aliases)
        entryPoints += tree.clickCommands(names) + tree.argparseCommands(names)
    }
}

extension ProjectFacts.PythonCommandTree {
    /// Each click command under every group that takes it (by decorator or `add_command`), cited where the
    /// name it has there is written; a command no group takes is a tree of its own.
    func clickCommands(_ names: ProjectFacts.PythonNames) -> [ProjectFacts.Fact] {
        var declared: [String: ClickDeclaration] = [:]
        for d in click where declared[Self.key(d.path, d.function)] == nil {
            declared[Self.key(d.path, d.function)] = d
        }
        var parents: [String: [(group: String, name: String, path: String, line: Int)]] = [:]
        for d in click {
            guard let owner = d.owner, let g = names.find(owner, in: d.path, declared), g.value.isGroup else {
                continue
            }
            parents[Self.key(d.path, d.function), default: []].append((g.key, d.name, d.path, d.line))
        }
        for x in adds {
            guard let g = names.find(x.group, in: x.path, declared), g.value.isGroup,
                let c = names.find(x.command, in: x.path, declared)
            else { continue }
            let name = x.name.map { ($0, x.path, x.line) } ?? (c.value.name, c.value.path, c.value.line)
            parents[c.key, default: []].append((g.key, name.0, name.1, name.2))
        }
        func paths(_ key: String, _ seen: Set<String>) -> [(text: String, path: String, line: Int)] {
            guard let d = declared[key] else { return [] }
            let up = parents[key] ?? []
            // A decorated command whose owner is no click group read here is left out, not guessed.
            if up.isEmpty { return d.owner == nil ? [(d.name, d.path, d.line)] : [] }
            return up.filter { !seen.contains($0.group) }.flatMap { e in
                paths(e.group, seen.union([key])).prefix(100).map { ("\($0.text) \(e.name)", e.path, e.line) }
            }
        }
        var out: [ProjectFacts.Fact] = []
        var done = Set<String>()
        for d in click where done.insert(Self.key(d.path, d.function)).inserted {
            for p in paths(Self.key(d.path, d.function), []) {
                out.append(
                    .init(text: p.text, detail: d.isGroup ? "click group" : "click command", path: p.path, line: p.line)
                )
            }
        }
        return out
    }

    /// Each `add_parser` under the commands its subparsers object stands for, following parameters to the
    /// calls that pass them (in any file that imports the function).
    func argparseCommands(_ names: ProjectFacts.PythonNames) -> [ProjectFacts.Fact] {
        var bound: [String: [Value]] = [:]  // a function's parameter → the values its callers pass
        for c in calls {
            guard let fn = names.find(c.callee, in: c.path, functions) else { continue }
            let params = fn.value.parameters
            let skip = fn.value.isMethod && c.callee.contains(".") ? 1 : 0
            var position = skip
            for arg in c.arguments {
                let index: Int?
                if let k = arg.keyword {
                    index = params.firstIndex(of: k)
                } else {
                    index = position
                    position += 1
                }
                guard let i = index, i < params.count, let v = arg.value else { continue }
                bound["\(fn.key)\u{0}\(i)", default: []].append(v)
            }
        }
        enum Held: Hashable {
            case parser(String)
            case subparsers(String)
        }
        func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : "\(a) \(b)" }
        func eval(_ v: Value, _ seen: Set<String>) -> Set<Held> {
            switch v {
            case .root: return [.parser("")]
            case .parameter(let function, let index):
                let k = "\(function)\u{0}\(index)"
                // A parameter no call read here passes: a parser of the function's own, as in one file.
                guard let values = bound[k], !values.isEmpty else { return [.parser("")] }
                guard !seen.contains(k) else { return [] }
                return values.reduce(into: Set<Held>()) { $0.formUnion(eval($1, seen.union([k]))) }
            case .subparsers(let of):
                return Set(
                    eval(of, seen).compactMap {
                        if case .parser(let p) = $0 { return .subparsers(p) } else { return nil }
                    })
            case .parser(let inside, let name):
                return Set(
                    eval(inside, seen).compactMap {
                        if case .subparsers(let p) = $0 { return .parser(join(p, name)) } else { return nil }
                    })
            }
        }
        var out: [ProjectFacts.Fact] = []
        for op in parsers {
            let under = eval(op.subparsers, []).compactMap {
                if case .subparsers(let p) = $0 { return p } else { return nil }
            }
            for p in under.sorted() {
                out.append(.init(text: join(p, op.name), detail: "argparse subcommand", path: op.path, line: op.line))
            }
        }
        return out
    }
}

extension ProjectFacts {
    /// What a name in a Python file stands for, through the file's import statements (as the parser read
    /// them) and the imports' resolution by Python's rules.
    struct PythonNames {
        let resolver: DependencyResolver
        let aliases: [String: [String: String]]
        var imports: [String: [Import]] = [:]

        init(_ a: Analysis, aliases: [String: [String: String]]) {
            resolver = DependencyResolver(files: a.files, layout: a.layout)
            self.aliases = aliases
            for imp in a.imports where resolver.file(imp.path)?.language == "Python" {
                imports[imp.path, default: []].append(imp)
            }
        }

        /// Where the `from … import name` of a file takes `name` from: the file and the name there.
        func origin(of name: String, in path: String) -> (path: String, name: String)? {
            let original = aliases[path]?[name] ?? name
            for imp in imports[path] ?? [] where imp.names.contains(original) {
                if let file = resolver.resolveFile(imp) { return (file, original) }
            }
            return nil
        }

        /// The repository file a module name in `path` stands for (`import commands`, `from . import commands`).
        func module(_ name: String, in path: String) -> String? {
            let original = aliases[path]?[name] ?? name
            let last = original.split(separator: ".").last.map(String.init) ?? original
            func isModule(_ file: String) -> Bool {
                RepoPath.name(file) == "\(last).py" || file == "\(last)/__init__.py"
                    || file.hasSuffix("/\(last)/__init__.py")
            }
            for imp in imports[path] ?? [] {
                if imp.names.isEmpty, imp.target == original, let file = resolver.resolveFile(imp), isModule(file) {
                    return file
                }
                if imp.names.contains(original) {
                    let target =
                        imp.target.allSatisfy({ $0 == "." }) ? imp.target + original : "\(imp.target).\(original)"
                    let sub = Import(path: path, line: imp.line, target: target, kind: imp.kind, names: [])
                    if let file = resolver.resolveFile(sub), isModule(file) { return file }
                }
            }
            return nil
        }

        /// The declaration a name (`cli`, `commands.init`, `self.register`) means in `path`: the file's own,
        /// else the one an import brings, followed through re-exports (a package's `__init__.py`).
        func find<T>(_ written: String, in path: String, _ table: [String: T]) -> (key: String, value: T)? {
            var file = path
            var name = written
            let parts = written.split(separator: ".").map(String.init)
            if parts.count == 2 {
                name = parts[1]
                if parts[0] != "self" && parts[0] != "cls" {
                    guard let m = module(parts[0], in: path) else { return nil }
                    file = m
                }
            } else if parts.count != 1 {
                return nil
            }
            var seen = Set<String>()
            while seen.insert(PythonCommandTree.key(file, name)).inserted {
                let k = PythonCommandTree.key(file, name)
                if let v = table[k] { return (k, v) }
                guard let next = origin(of: name, in: file) else { return nil }
                (file, name) = next
            }
            return nil
        }
    }
}

/// One Python file's reading for `pythonCommands`: the decorator waiting for its `def`, the argparse variables
/// in scope (a function's parameters are names of its own until its body ends), and a multi-line import.
struct PythonCommandScan {
    typealias Tree = ProjectFacts.PythonCommandTree
    let path: String
    var pending: (owner: String?, isGroup: Bool, name: String?, line: Int)? = nil
    var vars: [String: Tree.Value] = [:]
    var scopes: [(indent: Int, saved: [String: Tree.Value])] = []
    var inImport = false

    init(path: String) { self.path = path }

    /// A line with what the regular expressions need.
    struct Line {
        let text: String
        let number: Int
        let ns: NSString
        let range: NSRange

        init(text: String, number: Int) {
            self.text = text
            self.number = number
            ns = text as NSString
            range = NSRange(location: 0, length: ns.length)
        }

        func group(_ m: NSTextCheckingResult, _ k: Int) -> String? {
            m.range(at: k).location == NSNotFound ? nil : ns.substring(with: m.range(at: k))
        }
    }

    /// Functions whose body ended at this indentation take their parameters' names with them.
    mutating func leaveScopes(indent: Int) {
        while let s = scopes.last, indent <= s.indent {
            vars = s.saved
            scopes.removeLast()
        }
    }

    /// `import x as y` and `from m import x as y`: the aliases commands are reached by.
    mutating func readImport(_ l: Line, _ body: Substring, _ f: inout ProjectFacts) {
        for m in ProjectFacts.importAlias.matches(in: l.text, range: l.range) {
            if let name = l.group(m, 1), let alias = l.group(m, 2) { f.python.aliases[path, default: [:]][alias] = name }
        }
        inImport = (inImport || body.contains("(")) && !body.contains(")")
    }

    /// A `def`: the click command its pending decorator declares, and its parameters as names in scope.
    /// Returns the last line of its header.
    mutating func readDef(_ fn: String, _ l: Line, _ lines: [String], indent: Int, _ f: inout ProjectFacts) -> Int {
        if let p = pending {
            f.python.click.append(
                Tree.ClickDeclaration(
                    path: path, function: fn, owner: p.owner, isGroup: p.isGroup,
                    name: p.name ?? fn.lowercased().replacingOccurrences(of: "_", with: "-"),
                    line: p.name == nil ? l.number : p.line))  // cited where the name is written
            pending = nil
        }
        let (params, end) = ProjectFacts.parameters(lines, from: l.number - 1)
        let key = Tree.key(path, fn)
        f.python.functions[key] = Tree.Function(parameters: params, isMethod: params.first == "self" || params.first == "cls")
        scopes.append((indent, vars))
        for (k, p) in params.enumerated() { vars[p] = .parameter(function: key, index: k) }
        return end
    }

    /// Parsers, subparsers and `add_parser` (argparse), `add_command` (click), and calls that hand a parser on.
    mutating func readStatement(_ l: Line, _ f: inout ProjectFacts) {
        if let m = ProjectFacts.newParser.firstMatch(in: l.text, range: l.range), let v = l.group(m, 1) { vars[v] = .root }
        if let m = ProjectFacts.addSubparsers.firstMatch(in: l.text, range: l.range), let v = l.group(m, 1),
            let owner = l.group(m, 2)
        {
            vars[v] = .subparsers(of: vars[owner] ?? .root)
        }
        for m in ProjectFacts.addParser.matches(in: l.text, range: l.range) {
            guard let owner = l.group(m, 1), let name = l.group(m, 2), let subs = vars[owner] else { continue }
            f.python.parsers.append(Tree.AddParser(subparsers: subs, name: name, path: path, line: l.number))
            if let a = ProjectFacts.assignParser.firstMatch(in: l.text, range: l.range), let v = l.group(a, 1) {
                vars[v] = .parser(in: subs, name: name)
            }
        }
        for m in ProjectFacts.clickAddCommand.matches(in: l.text, range: l.range) {
            guard let g = l.group(m, 1), let c = l.group(m, 2) else { continue }
            f.python.adds.append(Tree.ClickAdd(path: path, group: g, command: c, name: l.group(m, 3), line: l.number))
        }
        guard !vars.isEmpty else { return }
        readCalls(l, &f)
    }

    /// Calls with a parser among their arguments: how a parser reaches another function, maybe in another file.
    func readCalls(_ l: Line, _ f: inout ProjectFacts) {
        for m in ProjectFacts.pythonCall.matches(in: l.text, range: l.range) {
            guard let callee = l.group(m, 1), let args = l.group(m, 2) else { continue }
            let arguments = ProjectFacts.splitTopLevel(args).map { a -> Tree.Argument in
                let parts = a.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                return parts.count == 2 && !parts[0].isEmpty && parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
                    ? Tree.Argument(keyword: parts[0], value: vars[parts[1]])
                    : Tree.Argument(keyword: nil, value: vars[a.trimmingCharacters(in: .whitespaces)])
            }
            if arguments.contains(where: { $0.value != nil }) {
                f.python.calls.append(Tree.Call(path: path, callee: callee, arguments: arguments))
            }
        }
    }
}
