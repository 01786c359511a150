/// Java by its own rules (as javadoc reads it): a declaration is API when it says `public` and so does
/// every type around it (interface members and enum constants are public by the language); the doc
/// is the `/** … */` block before it (annotations belong to the declaration, after the block); a
/// package's doc is the one in `package-info.java`; imports are `import` declarations as written.
enum JavaRules {
    static let comments: Set<String> = ["line_comment", "block_comment"]
    static let types: [String: String] = [
        "class_declaration": "class", "interface_declaration": "interface", "enum_declaration": "enum",
        "record_declaration": "record", "annotation_type_declaration": "annotation",
    ]

    static func extract(_ file: SyntaxFile) -> FileResult {
        var r = FileResult()
        let root = file.root
        for n in root.namedChildren {
            switch n.type {
            case "import_declaration":
                let isStatic = n.children.contains { $0.type == "static" }
                var target = n.namedChildren.first { $0.type == "scoped_identifier" || $0.type == "identifier" }?.text ?? ""
                if n.namedChildren.contains(where: { $0.type == "asterisk" }) { target += ".*" }
                if !target.isEmpty { r.imports.append(ImportRecord(line: n.line, target: target, kind: isStatic ? "static" : "module")) }
            case "package_declaration":
                if file.path.hasSuffix("package-info.java") { r.fileDoc = doc(n) }
            default:
                if types[n.type] != nil { declare(n, scope: nil, outerPublic: true, inInterface: false, into: &r.tags) }
            }
        }
        return r
    }

    static func modifiers(_ n: Node) -> [String] {
        guard let m = n.namedChildren.first(where: { $0.type == "modifiers" }) else { return [] }
        return m.children.filter { !$0.isNamed }.map(\.text)
    }

    static func doc(_ n: Node) -> String? {
        guard let block = Comments.above(n, adjacent: false, isComment: { comments.contains($0.type) }).last,
            block.text.hasPrefix("/**")
        else { return nil }
        return Comments.text([block])
    }

    static func declare(_ n: Node, scope: String?, outerPublic: Bool, inInterface: Bool, into tags: inout [Tag]) {
        guard let kind = types[n.type], let name = n.field("name") else { return }
        let isPublic = outerPublic && (modifiers(n).contains("public") || inInterface)
        let heritage = [n.field("superclass")?.text, n.field("interfaces")?.text].compactMap { $0 }.joined(separator: " ")
        tags.append(Tag(name: name.text, kind: kind, line: name.line, end: n.endLine, scope: scope, scopeKind: scope == nil ? nil : "class",
            signature: heritage.isEmpty ? nil : heritage, doc: doc(n), exported: isPublic, inherits: Output.baseNames(heritage)))
        let qualified = scope.map { "\($0).\(name.text)" } ?? name.text
        let memberOfInterface = n.type == "interface_declaration" || n.type == "annotation_type_declaration"
        var members = n.field("body")?.namedChildren ?? []
        // An enum's body holds its constants, then its other members in a declarations block.
        if let decls = members.first(where: { $0.type == "enum_body_declarations" }) { members += decls.namedChildren }
        for m in members {
            let memberPublic = isPublic && (memberOfInterface || modifiers(m).contains("public"))
            switch m.type {
            case "enum_constant":
                guard let cn = m.field("name") else { continue }
                tags.append(Tag(name: cn.text, kind: "enumerator", line: cn.line, end: m.endLine, scope: qualified,
                    scopeKind: "enum", doc: doc(m), exported: isPublic))
            case "method_declaration", "constructor_declaration", "annotation_type_element_declaration":
                guard let mn = m.field("name") else { continue }
                tags.append(Tag(name: mn.text, kind: "method", line: mn.line, end: m.endLine, scope: qualified, scopeKind: kind,
                    signature: m.field("parameters")?.text, typeref: m.field("type").map { "typename:" + $0.text }, doc: doc(m),
                    exported: memberPublic))
            case "field_declaration", "constant_declaration":
                for d in m.namedChildren where d.type == "variable_declarator" {
                    guard let fn = d.field("name") else { continue }
                    tags.append(Tag(name: fn.text, kind: "field", line: fn.line, end: m.endLine, scope: qualified, scopeKind: kind,
                        typeref: m.field("type").map { "typename:" + $0.text }, doc: doc(m), exported: memberPublic))
                }
            default:
                if types[m.type] != nil {
                    declare(m, scope: qualified, outerPublic: isPublic, inInterface: memberOfInterface, into: &tags)
                }
            }
        }
    }
}
