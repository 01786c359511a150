/// C++ by its own rules, on C's: what a header declares is public when its access is (`public:`, a
/// struct's default) and it is not in an anonymous or `detail` namespace; `static` at namespace level
/// is private; a definition in a source file (`Widget::draw`) is public when a header declares it; the
/// doc is the comment block right above; namespaces and classes scope their members; includes as in C.
enum CppRules {
    static let containers: Set<String> = [
        "translation_unit", "preproc_ifdef", "preproc_if", "preproc_else", "preproc_elif", "preproc_elifdef",
        "linkage_specification", "declaration_list", "template_declaration", "ERROR",
    ]
    static let headerSuffixes = [".h", ".hh", ".hpp", ".hxx", ".h++", ".inl"]

    struct Context {
        var header: Bool
        var scope: String?
        var hidden: Bool  // inside an anonymous or implementation namespace
    }

    static func extract(_ file: SyntaxFile) -> FileResult {
        var r = FileResult()
        let header = headerSuffixes.contains { file.path.lowercased().hasSuffix($0) }
        scan(file.root, Context(header: header, scope: nil, hidden: false), into: &r)
        return r
    }

    static func scan(_ container: Node, _ ctx: Context, into r: inout FileResult) {
        for n in container.namedChildren {
            switch n.type {
            case "preproc_include":
                guard let p = n.field("path") else { continue }
                let system = p.type == "system_lib_string"
                r.imports.append(ImportRecord(line: n.line, target: String(p.text.dropFirst().dropLast()), kind: system ? "system" : "relative"))
            case "namespace_definition":
                let name = n.field("name")?.text
                var inner = ctx
                inner.scope = name.map { n in ctx.scope.map { "\($0).\(n)" } ?? n } ?? ctx.scope
                inner.hidden = ctx.hidden || name == nil || name == "detail" || name == "internal" || name == "impl"
                if let body = n.field("body") { scan(body, inner, into: &r) }
            case "function_definition", "declaration", "field_declaration", "type_definition", "alias_declaration":
                declaration(n, ctx, access: nil, into: &r.tags)
            case "class_specifier", "struct_specifier", "union_specifier", "enum_specifier":
                type(n, ctx, access: nil, doc: CRules.doc(n), into: &r.tags)
            default:
                if containers.contains(n.type) { scan(n, ctx, into: &r) }
            }
        }
    }

    /// The declared name and the scope a qualified name adds (`Widget::draw` → draw in Widget).
    static func name(_ d: Node) -> (Node, String?)? {
        guard let (name, qualifier) = CRules.declared(d) else { return nil }
        return (name, qualifier.isEmpty ? nil : qualifier.joined(separator: "."))
    }

    static func join(_ a: String?, _ b: String?) -> String? {
        guard let b else { return a }
        return a.map { "\($0).\(b)" } ?? b
    }

    static func declaration(_ n: Node, _ ctx: Context, access: String?, into tags: inout [Tag]) {
        let isStatic = CRules.storage(n).contains("static")
        let doc = CRules.doc(n)
        if let t = n.field("type") { type(t, ctx, access: access, doc: doc, into: &tags) }
        var declarators = n.namedChildren.filter { $0.type.hasSuffix("declarator") || $0.type == "identifier" || $0.type == "field_identifier" || $0.type == "type_identifier" || $0.type == "qualified_identifier" }
        if let d = n.field("declarator"), !declarators.contains(where: { $0.startByte == d.startByte }) { declarators.append(d) }
        if n.type == "alias_declaration", let nm = n.field("name") { declarators = [nm] }
        for d in declarators where d.startByte != n.field("type")?.startByte {
            guard let (nameNode, qualifier) = name(d) else { continue }
            let isFunction = n.type == "function_definition" || CRules.containsFunctionDeclarator(d)
            let scope = join(ctx.scope, qualifier)
            let member = access != nil || qualifier != nil
            let kind = n.type == "type_definition" || n.type == "alias_declaration" ? "typedef"
                : isFunction ? (member ? "method" : n.type == "function_definition" ? "function" : "prototype")
                : (member ? "member" : "variable")
            let visible = access.map { $0 == "public" } ?? true
            var tag = Tag(name: nameNode.text, kind: kind, line: nameNode.line, end: n.endLine, scope: scope,
                scopeKind: scope == nil ? nil : (member ? "class" : "namespace"), signature: isFunction ? CRules.parameters(d) : nil,
                typeref: n.field("type").map { "typename:" + $0.text }, doc: doc,
                exported: ctx.header && visible && !isStatic && !ctx.hidden)
            tag.needsDeclaration = !ctx.header && !isStatic && !ctx.hidden && n.type == "function_definition"
            tags.append(tag)
        }
    }

    static func type(_ t: Node, _ ctx: Context, access: String?, doc: String?, into tags: inout [Tag]) {
        guard ["class_specifier", "struct_specifier", "union_specifier", "enum_specifier"].contains(t.type),
            let body = t.field("body"), let (nameNode, qualifier) = t.field("name").flatMap(name)
        else { return }
        let kind = String(t.type.dropLast(10))
        let scope = join(ctx.scope, qualifier)
        let visible = (access.map { $0 == "public" } ?? true) && ctx.header && !ctx.hidden
        tags.append(Tag(name: nameNode.text, kind: kind, line: nameNode.line, end: t.endLine, scope: scope,
            scopeKind: scope == nil ? nil : "namespace", doc: doc, exported: visible,
            inherits: Output.baseNames(t.namedChildren.first { $0.type == "base_class_clause" }?.text)))
        let inner = Context(header: ctx.header, scope: join(scope, nameNode.text), hidden: ctx.hidden || !visible)
        if kind == "enum" {
            for m in body.namedChildren where m.type == "enumerator" {
                guard let n = m.field("name") else { continue }
                tags.append(Tag(name: n.text, kind: "enumerator", line: n.line, end: m.endLine, scope: inner.scope, scopeKind: "enum",
                    doc: CRules.doc(m), exported: visible))
            }
            return
        }
        var current = kind == "class" ? "private" : "public"
        for m in body.namedChildren {
            switch m.type {
            case "access_specifier":
                current = m.text.trimmingCharacters(in: .init(charactersIn: ": "))
            case "field_declaration", "function_definition", "declaration", "alias_declaration", "type_definition":
                declaration(m, inner, access: current, into: &tags)
            case "template_declaration":
                for d in m.namedChildren where ["function_definition", "declaration", "field_declaration"].contains(d.type) {
                    declaration(d, inner, access: current, into: &tags)
                }
            default: break
            }
        }
    }
}
