/// PHP by its own rules: classes, interfaces, traits and enums with their methods, properties and
/// constants, and top-level functions, in the file or inside `namespace` blocks. Members are public
/// unless declared `private` or `protected`; a PHPDoc `@internal` or `@private` hides a declaration.
/// The doc is the `/** … */` block right above (blank lines may separate them, nothing else may).
/// Imports are `use` statements (names, as written) and `require`/`include` of a literal path
/// (`__DIR__ . '/x.php'` is relative to the file).
enum PHPRules {
    static func extract(_ file: SyntaxFile) -> FileResult {
        var r = FileResult()
        statements(file.root.namedChildren, into: &r)
        r.imports = imports(file.root)
        return r
    }

    static func phpdoc(_ node: Node) -> (doc: String?, hidden: Bool) {
        guard let block = Comments.above(node, adjacent: false).last(where: { $0.text.hasPrefix("/**") }) else {
            return (nil, false)
        }
        let hidden = ["@internal", "@private"].contains { block.text.contains($0) }
        return (Comments.text([block]), hidden)
    }

    static let typeKinds: [String: String] = [
        "class_declaration": "class", "interface_declaration": "interface", "trait_declaration": "trait",
        "enum_declaration": "enum",
    ]

    static func statements(_ list: [Node], into r: inout FileResult) {
        for stmt in list {
            switch stmt.type {
            case "namespace_definition":
                if let body = stmt.field("body") { statements(body.namedChildren, into: &r) }
            case "function_definition":
                guard let name = stmt.field("name") else { continue }
                let (doc, hidden) = phpdoc(stmt)
                r.tags.append(Tag(name: name.text, kind: "function", line: name.line, end: stmt.endLine,
                    signature: stmt.field("parameters")?.text, doc: doc, exported: !hidden))
            default:
                guard let kind = typeKinds[stmt.type], let name = stmt.field("name") else { continue }
                let (doc, hidden) = phpdoc(stmt)
                let heritage = stmt.namedChildren.filter { $0.type == "base_clause" || $0.type == "class_interface_clause" }
                    .map(\.text).joined(separator: ", ").nilIfEmpty
                r.tags.append(Tag(name: name.text, kind: kind, line: name.line, end: stmt.endLine,
                    signature: heritage?.replacingOccurrences(of: ", implements", with: " implements"),
                    doc: doc, exported: !hidden, inherits: Output.baseNames(heritage)))
                members(stmt.field("body"), scope: name.text, scopeKind: kind, exported: !hidden, into: &r.tags)
            }
        }
    }

    static func members(_ body: Node?, scope: String, scopeKind: String, exported: Bool, into tags: inout [Tag]) {
        for m in body?.namedChildren ?? [] {
            let (doc, hidden) = phpdoc(m)
            let visibility = m.namedChildren.first { $0.type == "visibility_modifier" }?.text.lowercased()
            let visible = exported && !hidden && visibility != "private" && visibility != "protected"
            func add(_ name: Node, _ kind: String, signature: String? = nil) {
                tags.append(Tag(name: name.text, kind: kind, line: name.line, end: m.endLine, scope: scope, scopeKind: scopeKind,
                    signature: signature, doc: doc, exported: visible))
            }
            switch m.type {
            case "method_declaration":
                if let name = m.field("name") { add(name, "method", signature: m.field("parameters")?.text) }
            case "property_declaration":
                for el in m.namedChildren where el.type == "property_element" {
                    if let name = el.namedChildren.first(where: { $0.type == "variable_name" }) { add(name, "property") }
                }
            case "const_declaration":
                for el in m.namedChildren where el.type == "const_element" {
                    if let name = el.namedChildren.first(where: { $0.type == "name" }) { add(name, "constant") }
                }
            case "enum_case":
                if let name = m.field("name") { add(name, "enumerator") }
            default: break
            }
        }
    }

    static let requireTypes: Set<String> = [
        "require_expression", "require_once_expression", "include_expression", "include_once_expression",
    ]

    static func imports(_ root: Node) -> [ImportRecord] {
        var out: [ImportRecord] = []
        root.walk(descend: { !["comment", "string", "encapsed_string", "heredoc", "nowdoc"].contains($0.type) }) { n in
            if n.type == "namespace_use_declaration" {
                // `use A\B;`, `use A\{B, C};`, `use function A\f;`: each name as written.
                let prefix = n.namedChildren.first { $0.type == "namespace_name" }.map { $0.text + "\\" } ?? ""
                n.walk { c in
                    guard c.type == "namespace_use_clause" else { return }
                    guard let q = c.namedChildren.first(where: { $0.type == "qualified_name" || $0.type == "name" }) else { return }
                    out.append(ImportRecord(line: c.line, target: prefix + q.text, kind: "module"))
                }
            } else if requireTypes.contains(n.type), let arg = n.namedChildren.first {
                if let path = literal(arg) {
                    out.append(ImportRecord(line: n.line, target: path, kind: "relative"))
                } else if arg.type == "binary_expression", arg.namedChildren.first?.text == "__DIR__",
                    let rest = arg.namedChildren.last.flatMap(literal), rest.hasPrefix("/")
                {
                    out.append(ImportRecord(line: n.line, target: "." + rest, kind: "relative"))
                }
            }
        }
        return out
    }

    /// The text of a string literal without interpolation.
    static func literal(_ n: Node) -> String? {
        guard n.type == "string" || n.type == "encapsed_string",
            !n.namedChildren.contains(where: { $0.type != "string_content" && $0.type != "string_value" })
        else { return nil }
        let t = n.text
        guard t.count >= 2 else { return nil }
        return String(t.dropFirst().dropLast())
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
