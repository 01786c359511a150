/// Rust by its own rules (as rustdoc reads it): an item is public with `pub` (not `pub(crate)`,
/// `pub(super)` or `pub(in …)`), trait items and enum variants share their parent's visibility,
/// `impl Trait for T` is one implementation of the trait (its items are the trait's); docs are the `///` and
/// `/** */` comments before an item (attributes may stand between), `//!` and `/*! */` the module's own;
/// `use`, `extern crate` and `mod x;` are imports; #[macro_export] macros are public.
enum RustRules {
    static func extract(_ file: SyntaxFile) -> FileResult {
        var r = FileResult()
        let root = file.root
        var inner: [String] = []
        for c in root.namedChildren {
            guard c.type == "line_comment" || c.type == "block_comment" || c.type == "attribute_item" || c.type == "inner_attribute_item" else { break }
            if c.text.hasPrefix("//!") || c.text.hasPrefix("/*!") { inner.append(c.text) }
        }
        r.fileDoc = DocText.uncomment(inner)
        items(root, scope: nil, scopeKind: nil, parentPublic: true, into: &r)
        return r
    }

    static func isPub(_ item: Node) -> Bool {
        item.namedChildren.first { $0.type == "visibility_modifier" }?.text == "pub"
    }

    /// The outer doc comments before an item, over attributes and plain comments.
    static func doc(_ item: Node) -> String? {
        var docs: [String] = []
        var cur = item.previousNamed
        while let c = cur, ["attribute_item", "line_comment", "block_comment"].contains(c.type) {
            let t = c.text
            if (t.hasPrefix("///") && !t.hasPrefix("////")) || (t.hasPrefix("/**") && !t.hasPrefix("/***") && t != "/**/") {
                docs.insert(t, at: 0)
            }
            cur = c.previousNamed
        }
        return DocText.uncomment(docs)
    }

    static func attributes(_ item: Node) -> [String] {
        var out: [String] = []
        var cur = item.previousNamed
        while let c = cur, ["attribute_item", "line_comment", "block_comment"].contains(c.type) {
            if c.type == "attribute_item" { out.append(c.text) }
            cur = c.previousNamed
        }
        return out
    }

    static let kinds: [String: String] = [
        "function_item": "function", "function_signature_item": "function", "struct_item": "struct", "enum_item": "enum",
        "union_item": "union", "trait_item": "trait", "type_item": "typedef", "const_item": "constant",
        "static_item": "variable", "macro_definition": "macro", "mod_item": "module", "associated_type": "typedef",
    ]

    static func typeName(_ n: Node?) -> String? {
        guard let n else { return nil }
        if n.type == "generic_type" { return n.field("type")?.text }
        if n.type == "reference_type" { return typeName(n.field("type")) }
        return n.text
    }

    static func items(_ body: Node, scope: String?, scopeKind: String?, parentPublic: Bool, into r: inout FileResult) {
        for item in body.namedChildren {
            switch item.type {
            case "use_declaration":
                if let a = item.field("argument") { r.imports.append(ImportRecord(line: item.line, target: a.text, kind: "module")) }
            case "extern_crate_declaration":
                if let n = item.field("name") { r.imports.append(ImportRecord(line: item.line, target: n.text, kind: "module")) }
            case "impl_item":
                guard let type = typeName(item.field("type")) else { continue }
                if let t = item.field("trait") {
                    // `impl Trait for Type`: as rustdoc shows it, one implementation of the trait, whose items are
                    // the trait's (documented there), not members of the type.
                    guard let trait = typeName(t) else { continue }
                    var tag = Tag(name: type, kind: "impl", line: item.line, end: item.endLine, scope: scope, scopeKind: scopeKind,
                        doc: doc(item), exported: parentPublic)
                    tag.inherits = [trait]
                    r.tags.append(tag)
                    continue
                }
                for m in item.field("body")?.namedChildren ?? [] where m.type == "function_item" || m.type == "const_item" || m.type == "type_item" {
                    guard let name = m.field("name") else { continue }
                    r.tags.append(Tag(name: name.text, kind: m.type == "function_item" ? "method" : kinds[m.type] ?? "item",
                        line: name.line, end: m.endLine, scope: type, scopeKind: "implementation",
                        signature: signature(m), doc: doc(m), exported: parentPublic && isPub(m)))
                }
            default:
                guard let kind = kinds[item.type], let name = item.field("name") else { continue }
                var exported = parentPublic && isPub(item)
                if scopeKind == "trait" || scopeKind == "enum" { exported = parentPublic }
                if item.type == "macro_definition" { exported = attributes(item).contains { $0.contains("macro_export") } }
                if item.type == "mod_item" && item.field("body") == nil {
                    r.imports.append(ImportRecord(line: item.line, target: name.text, kind: "mod"))
                }
                r.tags.append(Tag(name: name.text, kind: kind, line: name.line, end: item.endLine, scope: scope,
                    scopeKind: scopeKind, signature: signature(item), doc: doc(item), exported: exported))
                let qualified = scope.map { "\($0).\(name.text)" } ?? name.text
                switch item.type {
                case "trait_item", "mod_item":
                    if let b = item.field("body") {
                        items(b, scope: qualified, scopeKind: item.type == "trait_item" ? "trait" : "module", parentPublic: exported, into: &r)
                    }
                case "enum_item":
                    for v in item.field("body")?.namedChildren ?? [] where v.type == "enum_variant" {
                        guard let vn = v.field("name") else { continue }
                        r.tags.append(Tag(name: vn.text, kind: "enumerator", line: vn.line, end: v.endLine, scope: qualified,
                            scopeKind: "enum", doc: doc(v), exported: exported))
                    }
                case "struct_item", "union_item":
                    for f in item.field("body")?.namedChildren ?? [] where f.type == "field_declaration" {
                        guard let fn = f.field("name") else { continue }
                        r.tags.append(Tag(name: fn.text, kind: "field", line: fn.line, end: f.endLine, scope: qualified,
                            scopeKind: "struct", signature: f.field("type").map { ": " + $0.text }, doc: doc(f),
                            exported: exported && isPub(f)))
                    }
                default: break
                }
            }
        }
    }

    static func signature(_ item: Node) -> String? {
        guard let params = item.field("parameters") else { return item.field("type").map { ": " + $0.text } }
        return params.text + (item.field("return_type").map { " -> " + $0.text } ?? "")
    }
}
