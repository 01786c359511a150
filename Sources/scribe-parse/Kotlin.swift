/// Kotlin by its own rules (as Dokka reads it): declarations are public unless `private`, `internal`
/// or `protected`, and a member only inside a public type; the doc is the KDoc `/** … */` block
/// before a declaration (annotations belong to it); companion object members belong to their class;
/// `import` directives are the imports, with `.*` when they take a whole package.
enum KotlinRules {
    static let comments: Set<String> = ["line_comment", "block_comment"]

    static func extract(_ file: SyntaxFile) -> FileResult {
        var r = FileResult()
        for n in file.root.namedChildren {
            if n.type == "import" || n.type == "import_header" {
                guard let q = n.namedChildren.first(where: { $0.type == "qualified_identifier" || $0.type == "identifier" }) else { continue }
                let star = n.children.contains { $0.text == "*" || $0.text == ".*" }
                r.imports.append(ImportRecord(line: n.line, target: q.text + (star ? ".*" : ""), kind: "module"))
            } else if n.type == "import_list" {
                for i in n.namedChildren {
                    guard let q = i.namedChildren.first(where: { $0.type == "qualified_identifier" || $0.type == "identifier" }) else { continue }
                    let star = i.children.contains { $0.text == "*" || $0.text == ".*" }
                    r.imports.append(ImportRecord(line: i.line, target: q.text + (star ? ".*" : ""), kind: "module"))
                }
            } else {
                declare(n, scope: nil, outerPublic: true, into: &r.tags)
            }
        }
        return r
    }

    static func modifiers(_ n: Node) -> [String] {
        guard let m = n.namedChildren.first(where: { $0.type == "modifiers" }) else { return [] }
        var out: [String] = []
        m.walk { if !$0.isNamed || $0.type.hasSuffix("_modifier") { out.append($0.text) } }
        return out
    }

    static func isPublic(_ n: Node) -> Bool {
        !modifiers(n).contains { $0 == "private" || $0 == "internal" || $0 == "protected" }
    }

    static func doc(_ n: Node) -> String? {
        // The grammar parses an annotation on a top-level declaration as an expression of its own before it.
        var target = n
        while let p = target.previousNamed, p.type == "annotated_expression" || p.type == "annotation", p.endLine >= target.line - 1 {
            target = p
        }
        guard let block = Comments.above(target, adjacent: false, isComment: { comments.contains($0.type) }).last,
            block.text.hasPrefix("/**")
        else { return nil }
        return Comments.text([block])
    }

    static func name(_ n: Node) -> Node? {
        if let f = n.field("name") { return f }
        if n.type == "property_declaration" {
            var found: Node? = nil
            n.namedChildren.first { $0.type == "variable_declaration" }?.walk { if found == nil, $0.type == "identifier" || $0.type == "simple_identifier" { found = $0 } }
            return found
        }
        return n.namedChildren.first { ["identifier", "type_identifier", "simple_identifier"].contains($0.type) }
    }

    static func kind(_ n: Node) -> String? {
        switch n.type {
        case "class_declaration":
            if n.children.contains(where: { $0.type == "interface" }) { return "interface" }
            if modifiers(n).contains("enum") || n.children.contains(where: { $0.type == "enum" }) { return "enum" }
            return "class"
        case "object_declaration": return "object"
        case "function_declaration": return "function"
        case "property_declaration": return "property"
        case "type_alias": return "typealias"
        default: return nil
        }
    }

    static func declare(_ n: Node, scope: String?, outerPublic: Bool, into tags: inout [Tag]) {
        guard let kind = kind(n), let name = name(n) else { return }
        let exported = outerPublic && isPublic(n)
        let params = n.namedChildren.first { $0.type == "function_value_parameters" }?.text
        tags.append(Tag(name: name.text, kind: scope != nil && kind == "function" ? "method" : kind, line: name.line, end: n.endLine,
            scope: scope, scopeKind: scope == nil ? nil : "class", signature: params, doc: doc(n), exported: exported,
            inherits: Output.baseNames(n.namedChildren.filter { $0.type.hasPrefix("delegation_specifier") }.map(\.text).joined(separator: ", "))))
        let qualified = scope.map { "\($0).\(name.text)" } ?? name.text
        for body in n.namedChildren where body.type == "class_body" || body.type == "enum_class_body" {
            members(body, scope: qualified, outerPublic: exported, into: &tags)
        }
    }

    static func members(_ body: Node, scope: String, outerPublic: Bool, into tags: inout [Tag]) {
        for m in body.namedChildren {
            switch m.type {
            case "enum_entry":
                if let en = name(m) {
                    tags.append(Tag(name: en.text, kind: "enumerator", line: en.line, end: m.endLine, scope: scope, scopeKind: "enum",
                        doc: doc(m), exported: outerPublic))
                }
            case "companion_object":
                for b in m.namedChildren where b.type == "class_body" {
                    members(b, scope: scope, outerPublic: outerPublic && isPublic(m), into: &tags)
                }
            case "class_member_declaration", "class_member_declarations":
                members(m, scope: scope, outerPublic: outerPublic, into: &tags)
            default:
                declare(m, scope: scope, outerPublic: outerPublic, into: &tags)
            }
        }
    }
}
