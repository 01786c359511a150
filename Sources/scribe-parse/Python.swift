/// Python by its own rules: a docstring is the first statement of a body (module, class, def) and
/// an attribute docstring is the string statement right after an assignment (or Sphinx's `#:` lines
/// above it, also above `self.x = …` in `__init__`); names with `_` are
/// private, and `__all__`, when it is a literal, is the public set; `@overload` stubs and their
/// implementation are one entry; imports come from import statements only, wherever they are.
enum PythonRules {
    static func extract(_ file: SyntaxFile) -> FileResult {
        var r = FileResult()
        let root = file.root
        r.fileDoc = docstring(ofBody: root)
        let all = publicNames(root, &r)
        collect(root, scope: nil, scopeKind: nil, into: &r.tags)
        let privatePath = file.path.split(separator: "/").contains { part in
            let stem = part.hasSuffix(".py") ? part.dropLast(3) : part.hasSuffix(".pyi") ? part.dropLast(4) : part
            return stem.hasPrefix("_") && !(stem.hasPrefix("__") && stem.hasSuffix("__"))
        }
        for i in r.tags.indices {
            let t = r.tags[i]
            var exported = !t.name.hasPrefix("_")
            if t.scope == nil, let all { exported = all.contains(t.name) }
            if let scope = t.scope, scope.split(separator: ".").contains(where: { $0.hasPrefix("_") }) { exported = false }
            if privatePath { exported = false }
            r.tags[i].exported = exported
        }
        // Import statements stand only among statements: expressions need no visit.
        root.walk(descend: { statementContainers.contains($0.type) }) { n in
            switch n.type {
            case "import_statement":
                for name in n.namedChildren {
                    let target = name.type == "aliased_import" ? name.field("name")?.text : name.text
                    if let target { r.imports.append(ImportRecord(line: n.line, target: target, kind: "module")) }
                }
            case "import_from_statement", "future_import_statement":
                let module = n.field("module_name")
                let target = module?.text ?? "__future__"
                let relative = module?.type == "relative_import"
                let names = n.namedChildren.filter { $0.startByte != module?.startByte }.compactMap { c -> String? in
                    c.type == "aliased_import" ? c.field("name")?.text : c.type == "dotted_name" ? c.text : nil
                }
                r.imports.append(
                    ImportRecord(line: n.line, target: target, kind: relative ? "relative" : "module", names: names))
            default: break
            }
        }
        return r
    }

    static let statementContainers: Set<String> = [
        "module", "block", "if_statement", "elif_clause", "else_clause", "try_statement", "except_clause",
        "except_group_clause", "finally_clause", "with_statement", "for_statement", "while_statement",
        "function_definition", "class_definition", "decorated_definition", "match_statement", "case_clause",
    ]

    /// The names `__all__` lists when it is a literal list or tuple of strings (with `+=`, `.extend`
    /// and `.append` of literals); nil when there is none, or when it is computed (noted).
    static func publicNames(_ root: Node, _ r: inout FileResult) -> Set<String>? {
        var names: Set<String>? = nil
        for stmt in root.namedChildren where stmt.type == "expression_statement" {
            guard let e = stmt.namedChildren.first else { continue }
            var value: Node? = nil
            if e.type == "assignment" || e.type == "augmented_assignment", e.field("left")?.text == "__all__" {
                value = e.field("right")
                if e.type == "assignment" { names = [] }
            } else if e.type == "call", let f = e.field("function"), f.text == "__all__.extend" || f.text == "__all__.append" {
                value = e.field("arguments")
                if f.text == "__all__.append" || value?.namedChildren.count == 1 && f.text == "__all__.extend" {
                    value = f.text == "__all__.append" ? value : value?.namedChildren.first
                }
            } else {
                continue
            }
            guard let value, let strings = literalStrings(value) else {
                r.notes.append("__all__ is computed at line \(stmt.line): the public set follows the `_` rule")
                return nil
            }
            names = (names ?? []).union(strings)
        }
        return names
    }

    static func literalStrings(_ n: Node) -> [String]? {
        guard ["list", "tuple", "argument_list"].contains(n.type) else { return nil }
        var out: [String] = []
        for c in n.namedChildren {
            guard c.type == "string", let s = stringValue(c) else { return nil }
            out.append(s)
        }
        return out
    }

    /// A string literal's text without prefix and quotes (escapes are left as written).
    static func stringValue(_ n: Node) -> String? {
        guard n.type == "string" else {
            if n.type == "concatenated_string" {
                return n.namedChildren.compactMap(stringValue).joined()
            }
            return nil
        }
        var t = Substring(n.text)
        while let f = t.first, "rRuUbBfF".contains(f) { t = t.dropFirst() }
        for q in ["\"\"\"", "'''", "\"", "'"] where t.hasPrefix(q) && t.hasSuffix(q) && t.count >= 2 * q.count {
            return String(t.dropFirst(q.count).dropLast(q.count))
        }
        return nil
    }

    static func isDocString(_ stmt: Node?) -> Node? {
        guard let stmt, stmt.type == "expression_statement", stmt.namedChildren.count == 1,
            let s = stmt.namedChildren.first, s.type == "string" || s.type == "concatenated_string"
        else { return nil }
        return s
    }

    /// The docstring of a module or of a def/class body: its first statement, when a string.
    static func docstring(ofBody body: Node?) -> String? {
        guard let body, let first = body.namedChildren.first(where: { $0.type != "comment" }),
            let s = isDocString(first), let v = stringValue(s)
        else { return nil }
        return DocText.cleandoc(v)
    }

    static func decorators(_ n: Node) -> [String] {
        guard n.type == "decorated_definition" else { return [] }
        return n.namedChildren.filter { $0.type == "decorator" }.map { String($0.text.dropFirst()).trimmingSpaces }
    }

    /// The entries of one body (module or class), in source order; classes and the module's
    /// `if`/`try` blocks recurse.
    static func collect(_ body: Node, scope: String?, scopeKind: String?, into tags: inout [Tag]) {
        let statements = body.namedChildren
        var overloads = OverloadGroups()
        for (i, stmt) in statements.enumerated() {
            var def = stmt
            let decos = decorators(stmt)
            if stmt.type == "decorated_definition", let d = stmt.field("definition") { def = d }
            switch def.type {
            case "function_definition":
                guard let tag = functionTag(def, statement: stmt, decorators: decos, scope: scope, scopeKind: scopeKind)
                else { continue }
                let isOverload = decos.contains { $0 == "overload" || $0.hasSuffix(".overload") }
                overloads.add(tag, isOverload: isOverload, to: &tags)
            case "class_definition":
                classDefinition(def, statement: stmt, scope: scope, scopeKind: scopeKind, into: &tags)
            case "expression_statement":
                // An attribute docstring is the string statement right after the assignment.
                let next = i + 1 < statements.count ? statements[i + 1] : nil
                guard let tag = assignmentTag(def, next: next, siblings: tags, scope: scope, scopeKind: scopeKind)
                else { continue }
                tags.append(tag)
            case "if_statement", "try_statement":
                // Definitions under `if TYPE_CHECKING:` / `try: … except ImportError:` are the module's own.
                if scope == nil, let b = def.field("consequence") ?? def.namedChildren.first(where: { $0.type == "block" }) {
                    collect(b, scope: scope, scopeKind: scopeKind, into: &tags)
                }
            default:
                continue
            }
        }
    }

    /// A `def`'s entry (its signature is parameters and return annotation); nil for one without a
    /// name and for `@x.setter` / `@x.deleter`, which complete the property `x` rather than stand alone.
    static func functionTag(
        _ def: Node, statement stmt: Node, decorators decos: [String], scope: String?, scopeKind: String?
    ) -> Tag? {
        guard let name = def.field("name")?.text else { return nil }
        if decos.contains(where: { $0 == "\(name).setter" || $0 == "\(name).deleter" }) { return nil }
        let params = def.field("parameters")?.text ?? "()"
        let ret = def.field("return_type").map { " -> " + $0.text } ?? ""
        var tag = Tag(
            name: name, kind: scopeKind == "class" ? "method" : "function", line: stmt.line, end: stmt.endLine,
            scope: scope, scopeKind: scopeKind, signature: params + ret, doc: docstring(ofBody: def.field("body")))
        tag.line = def.field("name")?.line ?? stmt.line
        if decos.contains(where: { $0 == "property" || $0.hasSuffix("cached_property") }) { tag.kind = "property" }
        return tag
    }

    /// `@overload` stubs and their implementation as one entry, per name within one body.
    struct OverloadGroups {
        var entry: [String: Int] = [:]  // name → index of its entry in `tags`
        var pendingStubs: [String: [String]] = [:]  // name → the stubs' signatures

        mutating func add(_ tag: Tag, isOverload: Bool, to tags: inout [Tag]) {
            var tag = tag
            let name = tag.name
            if isOverload {
                pendingStubs[name, default: []].append(tag.signature ?? "")
                let stubs = pendingStubs[name]!
                // A stub's docstring is its own; the entry is the implementation when it comes.
                if let at = entry[name] {
                    tags[at].overloads = stubs.count
                    tags[at].signatures = stubs
                } else {
                    tag.overloads = stubs.count
                    tag.signatures = stubs
                    tags.append(tag)
                    entry[name] = tags.count - 1
                }
                return
            }
            if let stubs = pendingStubs.removeValue(forKey: name), let at = entry.removeValue(forKey: name) {
                // The entry shows the signatures callers see (the stubs', as Sphinx does) and the
                // implementation's own docstring, never a stub's.
                tag.overloads = stubs.count + 1
                tag.signatures = stubs
                tags[at] = tag
                return
            }
            tags.append(tag)
        }
    }

    /// A class's entry, then its body's entries scoped to it.
    static func classDefinition(
        _ def: Node, statement stmt: Node, scope: String?, scopeKind: String?, into tags: inout [Tag]
    ) {
        guard let name = def.field("name")?.text else { return }
        let qualified = scope.map { "\($0).\(name)" } ?? name
        let sup = def.field("superclasses")?.text
        tags.append(
            Tag(
                name: name, kind: "class", line: def.field("name")?.line ?? stmt.line, end: stmt.endLine, scope: scope,
                scopeKind: scopeKind, signature: sup, doc: docstring(ofBody: def.field("body")), inherits: Output.baseNames(sup)))
        if let b = def.field("body") {
            let first = tags.count
            collect(b, scope: qualified, scopeKind: "class", into: &tags)
            instanceAttributes(b, scope: qualified, into: &tags, classTagsFrom: first)
        }
    }

    /// Sphinx's attribute doc comments: `#:` lines right above an assignment.
    static func sphinxComment(_ stmt: Node) -> String? {
        let isSphinx: (Node) -> Bool = { $0.type == "comment" && $0.text.hasPrefix("#:") }
        var lines = Comments.above(stmt, adjacent: true, isComment: isSphinx)
        // Comments before a block's first statement belong to the tree above the block.
        if lines.isEmpty, stmt.previousNamed == nil, let block = stmt.parent, block.type == "block" {
            lines = Comments.above(block, adjacent: true, isComment: isSphinx)
        }
        guard !lines.isEmpty else { return nil }
        let text = lines.map { l -> String in
            let body = l.text.dropFirst(2)
            return String(body.hasPrefix(" ") ? body.dropFirst() : body)
        }.joined(separator: "\n")
        return DocText.cleandoc(text)
    }

    /// Instance attributes `__init__` documents with `#:` (`self.parent = parent`), as Sphinx's autodoc reads
    /// them: the doc of the class's own annotation of that name (`parent: Context | None`), or an entry of
    /// their own when the class declares no such name. Undocumented ones are not API entries.
    static func instanceAttributes(_ body: Node, scope: String, into tags: inout [Tag], classTagsFrom first: Int) {
        let initializer = body.namedChildren.lazy.map { $0.type == "decorated_definition" ? $0.field("definition") ?? $0 : $0 }
            .first { $0.type == "function_definition" && $0.field("name")?.text == "__init__" }
        guard let statements = initializer?.field("body")?.namedChildren else { return }
        for stmt in statements where stmt.type == "expression_statement" {
            guard let a = stmt.namedChildren.first, a.type == "assignment", let left = a.field("left"),
                left.type == "attribute", left.field("object")?.text == "self", let attr = left.field("attribute"),
                let doc = sphinxComment(stmt)
            else { continue }
            if let i = tags[first...].firstIndex(where: { $0.scope == scope && $0.name == attr.text }) {
                if tags[i].doc == nil { tags[i].doc = doc }
                continue
            }
            tags.append(
                Tag(
                    name: attr.text, kind: "member", line: attr.line, end: a.endLine, scope: scope, scopeKind: "class",
                    signature: a.field("type").map { ": " + $0.text }, doc: doc))
        }
    }

    /// `name = …` (not `__all__`, not a tuple or attribute target): a variable, class member or
    /// `property(…)`, documented by the string statement `next` when there is one.
    static func assignmentTag(
        _ def: Node, next: Node?, siblings tags: [Tag], scope: String?, scopeKind: String?
    ) -> Tag? {
        guard let a = def.namedChildren.first, a.type == "assignment", let left = a.field("left"),
            left.type == "identifier"
        else { return nil }
        let name = left.text
        if name == "__all__" { return nil }
        var doc = isDocString(next).flatMap(stringValue).flatMap(DocText.cleandoc) ?? sphinxComment(def)
        var kind = scopeKind == "class" ? "member" : "variable"
        var sig = a.field("type").map { ": " + $0.text }
        if let right = a.field("right"), right.type == "call", let f = right.field("function"),
            f.text == "property" || f.text.hasSuffix(".property")
        {
            kind = "property"
            sig = nil
            doc = doc ?? propertyDoc(right, siblings: tags, scope: scope)
        }
        return Tag(
            name: name, kind: kind, line: left.line, end: a.endLine, scope: scope, scopeKind: scopeKind, signature: sig,
            doc: doc)
    }

    /// `property(fget, fset, fdel, doc)`: the `doc` argument, else the getter's docstring (as Python does).
    static func propertyDoc(_ call: Node, siblings: [Tag], scope: String?) -> String? {
        guard let args = call.field("arguments") else { return nil }
        var getter: String? = nil
        var position = 0
        for a in args.namedChildren {
            if a.type == "keyword_argument", let k = a.field("name")?.text, let v = a.field("value") {
                if k == "doc", let s = stringValue(v) { return DocText.cleandoc(s) }
                if k == "fget" { getter = v.text }
            } else {
                if position == 0 && a.type == "identifier" { getter = a.text }
                if position == 3, let s = stringValue(a) { return DocText.cleandoc(s) }
                position += 1
            }
        }
        guard let getter else { return nil }
        return siblings.last { $0.name == getter && $0.scope == scope }?.doc
    }
}
