/// Go by its own rules (as pkgsite reads it): exported names start with an upper-case letter; a doc
/// comment is the comment group right above a declaration with no blank line between; the package
/// doc is the group above `package`; methods belong to their receiver's type; `_test.go` files hold
/// tests and `Example…` functions, never API.
enum GoRules {
    static func extract(_ file: SyntaxFile) -> FileResult {
        var r = FileResult()
        let root = file.root
        let isTest = file.path.hasSuffix("_test.go")
        // Declarations are named within their package, as ctags and pkgsite show them (`gocore.Store`).
        let package = root.namedChildren.first { $0.type == "package_clause" }?.namedChildren.first?.text
        let start = r.tags.count
        for decl in root.namedChildren {
            switch decl.type {
            case "package_clause":
                r.fileDoc = doc(decl)
            case "import_declaration":
                r.imports += imports(decl)
            case "function_declaration", "method_declaration":
                guard var tag = function(decl) else { continue }
                if isTest { mark(&tag) }
                r.tags.append(tag)
            case "type_declaration":
                types(decl, isTest: isTest, into: &r.tags)
            case "const_declaration", "var_declaration":
                values(decl, isTest: isTest, into: &r.tags)
            default: break
            }
        }
        if let package { qualify(&r.tags, from: start, package: package) }
        return r
    }

    /// `import "a"`, `import ( x "b"; … )`: one record per spec, its alias as the name.
    static func imports(_ decl: Node) -> [ImportRecord] {
        var found: [ImportRecord] = []
        decl.walk { n in
            guard n.type == "import_spec", let p = n.field("path") else { return }
            let target = String(p.text.dropFirst().dropLast())
            found.append(ImportRecord(line: n.line, target: target, kind: "module", names: n.field("name").map { [$0.text] } ?? []))
        }
        return found
    }

    /// A function, or a method scoped to its receiver's type (exported only when that type is too).
    static func function(_ decl: Node) -> Tag? {
        guard let name = decl.field("name") else { return nil }
        var tag = Tag(name: name.text, kind: decl.type == "method_declaration" ? "method" : "function", line: name.line,
            end: decl.endLine, doc: doc(decl), exported: isExported(name.text))
        tag.signature = decl.field("parameters")?.text ?? "()"
        tag.typeref = decl.field("result").map { "typename:" + $0.text }
        if let receiver = decl.field("receiver") {
            tag.scope = receiverType(receiver)
            tag.scopeKind = "struct"
            tag.exported = tag.exported && isExported(tag.scope ?? "")
        }
        return tag
    }

    /// `type T …` and `type ( … )`: an entry per spec, then its fields or methods. A lone spec takes the
    /// declaration's doc when it has none of its own.
    static func types(_ decl: Node, isTest: Bool, into tags: inout [Tag]) {
        for spec in decl.namedChildren where spec.type == "type_spec" || spec.type == "type_alias" {
            guard let name = spec.field("name") else { continue }
            let type = spec.field("type")
            var tag = Tag(name: name.text, kind: kind(of: type), line: name.line, end: spec.endLine,
                doc: doc(spec) ?? (decl.namedChildren.count == 1 ? doc(decl) : nil), exported: isExported(name.text))
            if isTest { mark(&tag) }
            tags.append(tag)
            members(type, owner: name.text, ownerExported: tag.exported && !isTest, into: &tags)
        }
    }

    /// `const`/`var` declarations: an entry per name before the spec's type or value (`_` is none).
    static func values(_ decl: Node, isTest: Bool, into tags: inout [Tag]) {
        let specs = decl.namedChildren.filter { $0.type == "const_spec" || $0.type == "var_spec" }
        for spec in specs {
            for name in spec.namedChildren where name.type == "identifier" && name.startByte < (spec.field("type")?.startByte ?? spec.field("value")?.startByte ?? Int.max) {
                guard name.text != "_" else { continue }
                var tag = Tag(name: name.text, kind: decl.type == "const_declaration" ? "constant" : "variable",
                    line: name.line, end: spec.endLine, signature: spec.field("type").map { " " + $0.text },
                    doc: doc(spec) ?? (specs.count == 1 ? doc(decl) : nil), exported: isExported(name.text))
                if isTest { mark(&tag) }
                tags.append(tag)
            }
        }
    }

    /// Scopes every entry within its package: top-level ones by the package itself.
    static func qualify(_ tags: inout [Tag], from start: Int, package: String) {
        for i in start..<tags.count {
            if let scope = tags[i].scope {
                tags[i].scope = "\(package).\(scope)"
            } else {
                tags[i].scope = package
                tags[i].scopeKind = "package"
            }
        }
    }

    static func isExported(_ name: String) -> Bool { name.first?.isUppercase ?? false }

    /// Test files: `Example…` functions document the symbol their name names; the rest are tests.
    static func mark(_ tag: inout Tag) {
        tag.exported = false
        guard tag.kind == "function", tag.name.hasPrefix("Example") else {
            tag.role = "test"
            return
        }
        tag.role = "example"
        // ExampleT_M_suffix → T.M; a part starting lower-case is a suffix.
        let parts = tag.name.dropFirst(7).split(separator: "_", omittingEmptySubsequences: false)
        let named = parts.prefix { $0.first?.isUppercase ?? false }
        tag.documents = named.isEmpty ? nil : named.prefix(2).joined(separator: ".")
    }

    static func kind(of type: Node?) -> String {
        switch type?.type {
        case "struct_type": return "struct"
        case "interface_type": return "interface"
        case "function_type": return "type"
        default: return "type"
        }
    }

    static func members(_ type: Node?, owner: String, ownerExported: Bool, into tags: inout [Tag]) {
        guard let type else { return }
        let list = type.type == "struct_type" ? type.namedChildren.first { $0.type == "field_declaration_list" } : type
        for m in list?.namedChildren ?? [] {
            switch m.type {
            case "field_declaration":
                for name in m.namedChildren where name.type == "field_identifier" {
                    tags.append(Tag(name: name.text, kind: "field", line: name.line, end: m.endLine, scope: owner, scopeKind: "struct",
                        signature: m.field("type").map { " " + $0.text }, doc: doc(m),
                        exported: ownerExported && isExported(name.text)))
                }
            case "method_elem", "method_spec":
                guard let name = m.field("name") else { continue }
                tags.append(Tag(name: name.text, kind: "method", line: name.line, end: m.endLine, scope: owner,
                    scopeKind: "interface", signature: m.field("parameters")?.text ?? "()",
                    typeref: m.field("result").map { "typename:" + $0.text }, doc: doc(m),
                    exported: ownerExported && isExported(name.text)))
            default: break
            }
        }
    }

    /// `(s *Server[T])` → `Server`.
    static func receiverType(_ receiver: Node) -> String? {
        var found: String? = nil
        receiver.walk { n in if found == nil, n.type == "type_identifier" { found = n.text } }
        return found
    }

    /// The comment group right above, without directives (`//go:generate`, `//nolint`).
    static func doc(_ n: Node) -> String? {
        let lines = Comments.above(n, adjacent: true).map(\.text).filter {
            !($0.hasPrefix("//go:") || $0.hasPrefix("//nolint") || $0.hasPrefix("//lint:") || $0.hasPrefix("//line "))
        }
        return DocText.uncomment(lines)
    }
}
