import Foundation

/// Command trees that common CLI libraries declare statically, each command with the line that declares it:
/// Python click (`@click.group`, `@x.command`, `add_command`) and argparse (`add_subparsers`, `add_parser`;
/// both in `ProjectFacts+PythonCommands.swift`), Go cobra
/// (`&cobra.Command{Use: …}` and `AddCommand`), Swift ArgumentParser (`CommandConfiguration(subcommands:)`)
/// and JavaScript commander (`.command('x')`). Only literal names are taken.
extension ProjectFacts {
    static func commandTree(_ lines: [String], _ file: Analysis.File, _ f: inout ProjectFacts) {
        switch file.language {
        case "Python": pythonCommands(lines, file.path, &f)
        case "Go": cobraCommands(lines, file.path, &f)
        case "Swift": argumentParserCommands(lines, file.path, &f)
        case "JavaScript", "TypeScript": commanderCommands(lines, file.path, &f)
        default: break
        }
    }

    static let cobraVar = re(#"\b(\w+)\s*(?::=|=)\s*&cobra\.Command\s*\{"#)
    static let cobraUse = re(#"\bUse:\s*"([^"\s]+)"#)
    static let addCommand = re(#"\b(\w+)\.AddCommand\(([^)]*)\)"#)

    /// cobra's declarations, gathered over every Go file: each command usually has a file of its own, and
    /// `AddCommand` may sit in another. Variables are keyed by their package's folder.
    struct CobraTree: Sendable {
        var use: [String: (name: String, path: String, line: Int)] = [:]
        var parent: [String: String] = [:]
        var order: [String] = []
    }

    /// cobra: each `&cobra.Command{Use: "name …"}` bound to a variable, placed under the command whose
    /// `AddCommand` takes it (in any file of the same package).
    static func cobraCommands(_ lines: [String], _ path: String, _ f: inout ProjectFacts) {
        let package = CloneTree.parent(path) + "/"
        var current: String? = nil
        for (i, line) in lines.enumerated() where line.count < 400 {
            let ns = line as NSString
            let range = NSRange(location: 0, length: ns.length)
            if let m = cobraVar.firstMatch(in: line, range: range) {
                current = package + ns.substring(with: m.range(at: 1))
            }
            if let c = current, let m = cobraUse.firstMatch(in: line, range: range) {
                f.cobra.use[c] = (ns.substring(with: m.range(at: 1)), path, i + 1)
                f.cobra.order.append(c)
                current = nil
            }
            for m in addCommand.matches(in: line, range: range) {
                let owner = package + ns.substring(with: m.range(at: 1))
                for child in ns.substring(with: m.range(at: 2)).split(separator: ",") {
                    f.cobra.parent[package + child.trimmingCharacters(in: .whitespaces)] = owner
                }
            }
        }
    }

    /// The cobra commands with their full paths, each cited at its `Use:` line.
    mutating func resolveCobra() {
        let tree = cobra
        for v in tree.order {
            guard let u = tree.use[v] else { continue }
            var names = [u.name]
            var p = tree.parent[v]
            var seen: Set<String> = [v]
            while let q = p, let pu = tree.use[q], seen.insert(q).inserted {
                names.insert(pu.name, at: 0)
                p = tree.parent[q]
            }
            entryPoints.append(
                Fact(text: names.joined(separator: " "), detail: "cobra command", path: u.path, line: u.line))
        }
        cobra = CobraTree()
    }

    static let swiftType = re(
        #"^\s*(?:(?:public|internal|fileprivate|private|package|final)\s+)*(?:struct|class|enum)\s+(\w+)"#)
    static let commandNameLabel = re(#"commandName:\s*"([^"]+)""#)
    static let subcommandType = re(#"(\w+)\.self"#)

    /// Swift ArgumentParser's declarations, gathered over every Swift file: a command tree often spans
    /// files (`Pages.swift` declares the subcommands of a type that `main.swift` lists).
    struct ArgumentParserTree: Sendable {
        var name: [String: (name: String, path: String, line: Int)] = [:]  // type → its `commandName:`
        var children: [String: [(type: String, path: String, line: Int)]] = [:]
        var declared: [String: Int] = [:]  // type → order of declaration
    }

    /// Swift ArgumentParser: each type in a `CommandConfiguration(subcommands: [A.self, …])` under the type
    /// that declares it, named by its own `commandName:` or, as ArgumentParser does, its type name in
    /// kebab-case; cited at the line that writes its name.
    static func argumentParserCommands(_ lines: [String], _ path: String, _ f: inout ProjectFacts) {
        var current: String? = nil
        var inSubcommands = false
        for (i, line) in lines.enumerated() where line.count < 400 {
            let ns = line as NSString
            let range = NSRange(location: 0, length: ns.length)
            if let m = swiftType.firstMatch(in: line, range: range) {
                let type = ns.substring(with: m.range(at: 1))
                current = type
                if f.argumentParser.declared[type] == nil {
                    f.argumentParser.declared[type] = f.argumentParser.declared.count
                }
                inSubcommands = false
            }
            guard let owner = current else { continue }
            if let m = commandNameLabel.firstMatch(in: line, range: range) {
                f.argumentParser.name[owner] = (ns.substring(with: m.range(at: 1)), path, i + 1)
            }
            var rest = line
            if let r = line.range(of: "subcommands:") {
                inSubcommands = true
                rest = String(line[r.upperBound...])
            }
            guard inSubcommands else { continue }
            let rns = rest as NSString
            for m in subcommandType.matches(in: rest, range: NSRange(location: 0, length: rns.length)) {
                f.argumentParser.children[owner, default: []].append((rns.substring(with: m.range(at: 1)), path, i + 1))
            }
            if rest.contains("]") { inSubcommands = false }
        }
    }

    /// The ArgumentParser trees from their roots (types that are no other type's subcommand).
    mutating func resolveArgumentParser() {
        let tree = argumentParser
        func commandName(of type: String) -> String { tree.name[type]?.name ?? ProjectFacts.kebab(type) }
        let childTypes = Set(tree.children.values.flatMap { $0.map(\.type) })
        var out: [Fact] = []
        func walk(_ type: String, _ prefix: String, _ seen: Set<String>) {
            for c in tree.children[type] ?? [] where !seen.contains(c.type) {
                let full = "\(prefix) \(commandName(of: c.type))"
                // Cited where the name is written: its `commandName:`, else the list that names its type.
                let at = tree.name[c.type].map { ($0.path, $0.line) } ?? (c.path, c.line)
                out.append(Fact(text: full, detail: "ArgumentParser subcommand", path: at.0, line: at.1))
                walk(c.type, full, seen.union([c.type]))
            }
        }
        let roots = tree.children.keys.filter { !childTypes.contains($0) }
        for root in roots.sorted(by: { (tree.declared[$0] ?? 0) < (tree.declared[$1] ?? 0) }) {
            walk(root, commandName(of: root), [root])
        }
        entryPoints += out
        argumentParser = ArgumentParserTree()
    }

    /// ArgumentParser's default command name: `UserCreate` → `user-create`.
    static func kebab(_ type: String) -> String {
        var out = ""
        let chars = Array(type)
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0,
                chars[i - 1].isLowercase
                    || (i + 1 < chars.count && chars[i + 1].isLowercase && chars[i - 1].isUppercase)
            {
                out.append("-")
            }
            out.append(Character(c.lowercased()))
        }
        return out
    }

    static let commanderCommand = re(#"\.command\(\s*["'`]([A-Za-z0-9][\w:-]*)"#)

    /// commander: each `.command('name …')` on a line of a file that uses commander.
    static func commanderCommands(_ lines: [String], _ path: String, _ f: inout ProjectFacts) {
        guard lines.contains(where: { $0.contains("commander") }) else { return }
        for (i, line) in lines.enumerated() where line.count < 400 {
            let ns = line as NSString
            for m in commanderCommand.matches(in: line, range: NSRange(location: 0, length: ns.length)) {
                f.entryPoints.append(
                    Fact(text: ns.substring(with: m.range(at: 1)), detail: "commander command", path: path, line: i + 1)
                )
            }
        }
    }
}
