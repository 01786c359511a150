/// C by its own rules: what a header declares is public, `static` is private, and a definition in a
/// .c file is public when a header declares it (settled across files by the indexer, from
/// `needsDeclaration`); the doc is the comment block right above, in any comment style, never across
/// another declaration; `#include "…"` is relative to the file, `#include <…>` a system include.
enum CRules {
    static let containers: Set<String> = [
        "translation_unit", "preproc_ifdef", "preproc_if", "preproc_else", "preproc_elif", "preproc_elifdef",
        "linkage_specification", "declaration_list", "ERROR",
    ]

    static func extract(_ file: SyntaxFile) -> FileResult {
        var r = FileResult()
        let header = file.path.hasSuffix(".h")
        file.root.walk(descend: { containers.contains($0.type) }) { n in
            switch n.type {
            case "preproc_include":
                guard let p = n.field("path") else { return }
                let system = p.type == "system_lib_string"
                let target = system || p.type == "string_literal" ? String(p.text.dropFirst().dropLast()) : p.text
                r.imports.append(ImportRecord(line: n.line, target: target, kind: system ? "system" : "relative"))
            case "preproc_def", "preproc_function_def":
                guard let name = n.field("name") else { return }
                if n.field("value") == nil, let p = n.parent, p.type == "preproc_ifdef", p.field("name")?.text == name.text {
                    return  // include guard
                }
                if let v = n.field("value"), v.text.trimmingCharacters(in: .whitespaces) == name.text {
                    return  // `#define stdin stdin`: marks the declaration of that name, which is the entry
                }
                r.tags.append(Tag(name: name.text, kind: "macro", line: name.line, end: n.endLine,
                    signature: n.field("parameters")?.text, doc: doc(n), exported: header))
            case "function_definition":
                guard let d = n.field("declarator"), let name = declaredName(d) else { return }
                let isStatic = storage(n).contains("static")
                var tag = Tag(name: name.text, kind: "function", line: name.line, end: n.endLine,
                    signature: parameters(d), doc: doc(n), exported: header && !isStatic)
                tag.typeref = n.field("type").map { "typename:" + $0.text }
                tag.needsDeclaration = !header && !isStatic
                r.tags.append(tag)
            case "declaration":
                let isStatic = storage(n).contains("static")
                if let t = n.field("type") { types(t, doc: doc(n), header: header, into: &r.tags) }
                for d in n.namedChildren where n.field("type")?.startByte != d.startByte && d.type != "storage_class_specifier"
                    && d.type != "type_qualifier" && d.type != "attribute_specifier" && d.type != "comment"
                {
                    guard let name = declaredName(d) else { continue }
                    let isFunction = containsFunctionDeclarator(d)
                    var tag = Tag(name: name.text, kind: isFunction ? "prototype" : "variable", line: name.line, end: n.endLine,
                        signature: isFunction ? parameters(d) : nil, doc: doc(n), exported: header && !isStatic)
                    tag.typeref = n.field("type").map { "typename:" + $0.text }
                    tag.needsDeclaration = !header && !isStatic && !isFunction && !storage(n).contains("extern")
                    r.tags.append(tag)
                }
            case "type_definition":
                if let t = n.field("type") { types(t, doc: doc(n), header: header, into: &r.tags) }
                for d in n.namedChildren where d.type.hasSuffix("declarator") || d.type == "type_identifier" {
                    guard n.field("type")?.startByte != d.startByte, let name = declaredName(d) else { continue }
                    r.tags.append(Tag(name: name.text, kind: "typedef", line: name.line, end: n.endLine,
                        typeref: n.field("type").map { "typename:" + $0.text }, doc: doc(n), exported: header))
                }
            case "struct_specifier", "union_specifier", "enum_specifier":
                types(n, doc: doc(n), header: header, into: &r.tags)
            default: break
            }
        }
        return r
    }

    static func storage(_ n: Node) -> [String] {
        n.namedChildren.filter { $0.type == "storage_class_specifier" }.map(\.text)
    }

    /// A named struct, union or enum with a body, and its fields or enumerators.
    static func types(_ t: Node, doc: String?, header: Bool, into tags: inout [Tag]) {
        guard ["struct_specifier", "union_specifier", "enum_specifier"].contains(t.type), let body = t.field("body"),
            let name = t.field("name")
        else { return }
        let kind = String(t.type.dropLast(10))
        tags.append(Tag(name: name.text, kind: kind, line: name.line, end: t.endLine, doc: doc, exported: header))
        for m in body.namedChildren {
            if m.type == "enumerator", let n = m.field("name") {
                tags.append(Tag(name: n.text, kind: "enumerator", line: n.line, end: m.endLine, scope: name.text,
                    scopeKind: "enum", doc: Comments.text(Comments.above(m, adjacent: true)), exported: header))
            } else if m.type == "field_declaration" {
                for d in m.namedChildren where d.type.hasSuffix("declarator") || d.type == "field_identifier" {
                    guard let n = declaredName(d) else { continue }
                    tags.append(Tag(name: n.text, kind: "member", line: n.line, end: m.endLine, scope: name.text,
                        scopeKind: kind, typeref: m.field("type").map { "typename:" + $0.text },
                        doc: Comments.text(Comments.above(m, adjacent: true)), exported: header))
                }
            }
        }
    }

    /// The identifier a declarator declares, through pointers, arrays, functions and initialisers.
    static func declaredName(_ d: Node) -> Node? { declared(d)?.name }

    /// The declared identifier and, for C++'s qualified names (`ui::Widget::draw`), the scopes before it.
    static func declared(_ d: Node) -> (name: Node, qualifier: [String])? {
        var cur = d
        var qualifier: [String] = []
        while true {
            switch cur.type {
            case "identifier", "field_identifier", "type_identifier", "destructor_name", "operator_name":
                return (cur, qualifier)
            case "qualified_identifier":
                if let s = cur.field("scope") { qualifier.append(s.text.replacingOccurrences(of: "::", with: ".")) }
                guard let n = cur.field("name") else { return nil }
                cur = n
            case "parenthesized_declarator":
                guard let inner = cur.namedChildren.first else { return nil }
                cur = inner
            default:
                // Declarators nest through `declarator`; template names through `name`.
                guard let inner = cur.field("declarator") ?? (cur.type.hasPrefix("template_") ? cur.field("name") : nil) else {
                    return nil
                }
                cur = inner
            }
        }
    }

    static func containsFunctionDeclarator(_ d: Node) -> Bool {
        var cur: Node? = d
        while let c = cur {
            if c.type == "function_declarator" { return c.field("declarator").map { declaredName($0) != nil && $0.type != "parenthesized_declarator" } ?? false }
            cur = c.field("declarator")
        }
        return false
    }

    static func parameters(_ d: Node) -> String? {
        var cur: Node? = d
        while let c = cur {
            if c.type == "function_declarator" { return c.field("parameters")?.text }
            cur = c.field("declarator")
        }
        return nil
    }

    static func doc(_ n: Node) -> String? { Comments.text(Comments.above(n, adjacent: true)) }
}
