/// C# by its own rules: types are internal and members private unless they say `public` (interface
/// members and enum members are public by the language, and a member is API only inside a public
/// type); the doc is the `///` XML block right above (attributes belong to the declaration); the
/// parts of a `partial` type are marked so that the indexer lists the type once; namespaces scope
/// their types; `using` directives are the imports.
enum CSharpRules {
    static let types: [String: String] = [
        "class_declaration": "class", "struct_declaration": "struct", "interface_declaration": "interface",
        "enum_declaration": "enum", "record_declaration": "record", "record_struct_declaration": "struct",
        "delegate_declaration": "delegate",
    ]
    static let members: [String: String] = [
        "method_declaration": "method", "constructor_declaration": "method", "property_declaration": "property",
        "field_declaration": "field", "event_declaration": "event", "event_field_declaration": "event",
        "indexer_declaration": "property", "operator_declaration": "method",
    ]

    static func extract(_ file: SyntaxFile) -> FileResult {
        var r = FileResult()
        scan(file.root, namespace: nil, into: &r)
        return r
    }

    static func scan(_ container: Node, namespace: String?, into r: inout FileResult) {
        var ns = namespace
        for n in container.namedChildren {
            switch n.type {
            case "using_directive":
                // `using A = B.C;` names an alias: the import is of B.C, the name after `=`.
                let all = n.children
                var name = all.last { $0.type == "qualified_name" || $0.type == "identifier" }
                if let eq = all.firstIndex(where: { $0.type == "=" }) {
                    name = all[(eq + 1)...].first { $0.type == "qualified_name" || $0.type == "identifier" }
                }
                if let name {
                    let isStatic = n.children.contains { $0.type == "static" }
                    r.imports.append(ImportRecord(line: n.line, target: name.text, kind: isStatic ? "static" : "module"))
                }
            case "namespace_declaration":
                let name = n.field("name")?.text
                let full = [namespace, name].compactMap { $0 }.joined(separator: ".")
                if let body = n.field("body") { scan(body, namespace: full, into: &r) }
            case "file_scoped_namespace_declaration":
                ns = [namespace, n.field("name")?.text].compactMap { $0 }.joined(separator: ".")
                scan(n, namespace: ns, into: &r)
            default:
                if types[n.type] != nil { declare(n, scope: ns, scopeKind: "namespace", outerPublic: true, inInterface: false, into: &r.tags) }
            }
        }
    }

    static func modifiers(_ n: Node) -> [String] {
        n.namedChildren.filter { $0.type == "modifier" }.map(\.text)
    }

    static func doc(_ n: Node) -> String? {
        let block = Comments.above(n, adjacent: true).map(\.text).filter { $0.hasPrefix("///") }
        return DocText.uncomment(block)
    }

    static func declare(_ n: Node, scope: String?, scopeKind: String, outerPublic: Bool, inInterface: Bool, into tags: inout [Tag]) {
        guard let kind = types[n.type], let name = n.field("name") else { return }
        let mods = modifiers(n)
        let isPublic = outerPublic && (mods.contains("public") || inInterface)
        var tag = Tag(name: name.text, kind: kind, line: name.line, end: n.endLine, scope: scope, scopeKind: scope == nil ? nil : scopeKind,
            signature: n.field("parameters")?.text ?? n.namedChildren.first { $0.type == "base_list" }?.text, doc: doc(n),
            exported: isPublic)
        tag.partial = mods.contains("partial")
        tag.inherits = Output.baseNames(n.namedChildren.first { $0.type == "base_list" }?.text)
        tags.append(tag)
        let qualified = scope.map { "\($0).\(name.text)" } ?? name.text
        let memberOfInterface = n.type == "interface_declaration"
        for m in n.field("body")?.namedChildren ?? [] {
            let memberPublic = isPublic && (memberOfInterface || modifiers(m).contains("public"))
            if m.type == "enum_member_declaration", let en = m.field("name") {
                tags.append(Tag(name: en.text, kind: "enumerator", line: en.line, end: m.endLine, scope: qualified,
                    scopeKind: "enum", doc: doc(m), exported: isPublic))
            } else if types[m.type] != nil {
                declare(m, scope: qualified, scopeKind: kind, outerPublic: isPublic, inInterface: memberOfInterface, into: &tags)
            } else if let mk = members[m.type] {
                var names: [Node] = []
                if let mn = m.field("name") { names = [mn] }
                if m.type == "indexer_declaration" { names = [m.children.first { $0.type == "this" } ?? m] }
                if m.type == "field_declaration" || m.type == "event_field_declaration" {
                    m.walk(descend: { $0.type != "equals_value_clause" }) { d in
                        if d.type == "variable_declarator", let dn = d.field("name") ?? d.namedChildren.first { names.append(dn) }
                    }
                }
                for mn in names {
                    tags.append(Tag(name: mn.text, kind: mk, line: mn.line, end: m.endLine, scope: qualified, scopeKind: kind,
                        signature: m.field("parameters")?.text, typeref: (m.field("returns") ?? m.field("type")).map { "typename:" + $0.text },
                        doc: doc(m), exported: memberPublic))
                }
            }
        }
    }
}
