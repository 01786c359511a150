/// JavaScript by its own rules: the doc is the `/** … */` block before a declaration (blank lines may
/// separate them, nothing else may), also before `exports.x =`, `obj.x = function`, `proto.a = proto.b`
/// and property helpers (`Object.defineProperty(obj, 'name', …)`); exported means `export`, or
/// assigned to `module.exports`/`exports` (or an alias of them); `@private`, `@internal` and `@ignore`
/// hide a declaration. Anonymous functions are not declarations. Imports are `import … from`,
/// `export … from`, `require('…')` calls and `import('…')`, read from code only.
///
/// TypeScript (and TSX) share these rules, and add interfaces, type aliases and enums (with their
/// members), `declare` and `abstract` declarations, `private`/`protected` members (left out of the
/// public surface), and overload signatures, which form one entry with the implementation
/// (`overloads` counts the signatures a caller sees). `import type … from` is an import too.
enum JavaScriptRules {
    struct Exports {
        /// Top-level names bound to `module.exports`/`exports` (`var app = exports = module.exports = {}`).
        var aliases: Set<String> = ["exports", "module.exports"]
        /// Names exported by `export { a, b }`, `module.exports = a`, `module.exports = { a, b }`.
        var names: Set<String> = []
    }

    static func extract(_ file: SyntaxFile) -> FileResult {
        var r = FileResult()
        let root = file.root
        var exports = Exports()
        for stmt in root.namedChildren { scanExports(stmt, &exports) }
        let stubs = overloadSignatures(root.namedChildren)
        for stmt in root.namedChildren { declarations(stmt, exports: exports, overloads: stubs, into: &r.tags) }
        if let first = root.namedChildren.first, first.type == "comment", first.text.hasPrefix("/**"),
            first.text.contains("@file") || first.text.contains("@fileoverview") || first.text.contains("@module")
        {
            r.fileDoc = Comments.text([first])
        }
        r.imports = imports(root)
        return r
    }

    // MARK: Exports

    static func scanExports(_ stmt: Node, _ e: inout Exports) {
        switch stmt.type {
        case "export_statement":
            for spec in stmt.namedChildren.first(where: { $0.type == "export_clause" })?.namedChildren ?? [] {
                if let n = spec.field("name") { e.names.insert(n.text) }
            }
        case "lexical_declaration", "variable_declaration":
            for d in stmt.namedChildren where d.type == "variable_declarator" {
                if let name = d.field("name"), name.type == "identifier", let v = d.field("value"),
                    assignsExports(v, e)
                {
                    e.aliases.insert(name.text)
                }
            }
        case "expression_statement":
            guard let a = stmt.namedChildren.first, a.type == "assignment_expression", let left = a.field("left"),
                let right = a.field("right")
            else { return }
            // `module.exports.Widget = Widget` exports the declaration itself.
            if left.type == "member_expression", let o = left.field("object"), e.aliases.contains(o.text),
                right.type == "identifier", left.field("property")?.text == right.text
            {
                e.names.insert(right.text)
                return
            }
            guard left.text == "module.exports" || left.text == "exports" else { return }
            var value = right
            while value.type == "assignment_expression", let inner = value.field("right") { value = inner }
            if value.type == "identifier" { e.names.insert(value.text) }
            if value.type == "object" {
                for p in value.namedChildren {
                    if p.type == "shorthand_property_identifier" { e.names.insert(p.text) }
                    if p.type == "pair", let v = p.field("value"), v.type == "identifier" { e.names.insert(v.text) }
                }
            }
        default: break
        }
    }

    /// `exports = module.exports = …` somewhere in an assignment chain.
    static func assignsExports(_ v: Node, _ e: Exports) -> Bool {
        var cur: Node? = v
        while let c = cur, c.type == "assignment_expression" {
            if let l = c.field("left"), e.aliases.contains(l.text) { return true }
            cur = c.field("right")
        }
        return false
    }

    // MARK: Declarations

    /// The JSDoc block of a statement and whether it hides the declaration.
    static func jsdoc(_ stmt: Node) -> (doc: String?, hidden: Bool) {
        guard let block = Comments.above(stmt, adjacent: false).last(where: { $0.text.hasPrefix("/**") }) else {
            return (nil, false)
        }
        let raw = block.text
        if raw.contains("@license") || raw.contains("@preserve") || raw.contains("@fileoverview") { return (nil, false) }
        // JSDoc's `@private`, `@internal`, `@ignore`, `@access private`, and dox's `@api private` (Express-era code).
        let words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "*" })
        let hidden = ["@private", "@internal", "@ignore"].contains { raw.contains($0) }
            || zip(words, words.dropFirst()).contains { ($0 == "@api" || $0 == "@access") && $1 == "private" }
        return (Comments.text([block]), hidden)
    }

    static let functionValues: Set<String> = [
        "function_expression", "function", "arrow_function", "generator_function", "class", "class_expression",
    ]

    /// TypeScript overloads: the signatures (`function f(a: string): void;`) written for each function name,
    /// the JSDoc of the first, and the names that have an implementation after them.
    struct Overloads {
        var signatures: [String: Int] = [:]
        var firstDoc: [String: String] = [:]
        var implemented: Set<String> = []
    }

    static func overloadSignatures(_ stmts: [Node]) -> Overloads {
        var o = Overloads()
        for stmt in stmts {
            var d = stmt.type == "export_statement" ? stmt.field("declaration") : stmt
            if d?.type == "ambient_declaration" { d = d?.namedChildren.first { $0.type != "comment" } }
            guard let d, let name = d.field("name")?.text else { continue }
            if d.type == "function_signature" {
                if o.signatures[name] == nil, let doc = jsdoc(stmt).doc { o.firstDoc[name] = doc }
                o.signatures[name, default: 0] += 1
            } else if d.type == "function_declaration", o.signatures[name] != nil {
                o.implemented.insert(name)
            }
        }
        return o
    }

    /// What every declaration of one statement shares: its JSDoc, whether that hides it, and whether
    /// `export` marks it.
    struct Statement {
        let doc: String?
        let hidden: Bool
        let exported: Bool
        let exports: Exports

        /// Public: not hidden, and exported by `export` on the statement or by name elsewhere.
        func visible(_ name: String) -> Bool { !hidden && (exported || exports.names.contains(name)) }
    }

    /// The entries one top-level statement declares, by the kind of declaration it holds.
    static func declarations(_ stmt: Node, exports: Exports, overloads: Overloads = Overloads(), into tags: inout [Tag]) {
        let (doc, hidden) = jsdoc(stmt)
        var decl = stmt
        var exported = false
        if stmt.type == "export_statement" {
            exported = true
            guard let d = stmt.field("declaration") else {
                defaultExport(stmt, doc: doc, hidden: hidden, into: &tags)
                return
            }
            decl = d
        }
        // `declare function f(): void;`, `export declare class C {}`: the declaration inside.
        if decl.type == "ambient_declaration", let inner = decl.namedChildren.first(where: { $0.type != "comment" }) { decl = inner }
        let s = Statement(doc: doc, hidden: hidden, exported: exported, exports: exports)
        switch decl.type {
        case "function_declaration", "generator_function_declaration", "function_signature":
            function(decl, s, overloads: overloads, into: &tags)
        case "interface_declaration":
            guard let name = decl.field("name") else { return }
            tags.append(Tag(name: name.text, kind: "interface", line: name.line, end: decl.endLine,
                signature: decl.namedChildren.first(where: { $0.type == "extends_type_clause" })?.text, doc: doc,
                exported: s.visible(name.text)))
            members(decl.field("body"), scope: name.text, exported: s.visible(name.text), into: &tags)
        case "type_alias_declaration":
            guard let name = decl.field("name") else { return }
            tags.append(Tag(name: name.text, kind: "type", line: name.line, end: decl.endLine,
                signature: decl.field("value").map { "= " + $0.text }, doc: doc, exported: s.visible(name.text)))
        case "enum_declaration":
            enumeration(decl, s, into: &tags)
        case "class_declaration", "abstract_class_declaration":
            guard let name = decl.field("name") else { return }
            let heritage = decl.children.first(where: { $0.type == "class_heritage" })?.text
            tags.append(Tag(name: name.text, kind: "class", line: name.line, end: decl.endLine,
                signature: heritage, doc: doc, exported: s.visible(name.text), inherits: Output.baseNames(heritage)))
            members(decl.field("body"), scope: name.text, exported: s.visible(name.text), into: &tags)
        case "lexical_declaration", "variable_declaration":
            variables(decl, s, into: &tags)
        case "expression_statement":
            guard let e = decl.namedChildren.first else { return }
            if e.type == "assignment_expression" { assignment(e, doc: doc, hidden: hidden, exports: exports, into: &tags) }
            if e.type == "call_expression" { propertyHelper(e, doc: doc, hidden: hidden, exports: exports, into: &tags) }
        default: break
        }
    }

    /// `export default function () {}`: the export's name is `default`. Other exports without a
    /// declaration (`export { a }`, `export default x`) declare nothing here.
    static func defaultExport(_ stmt: Node, doc: String?, hidden: Bool, into tags: inout [Tag]) {
        guard let v = stmt.field("value"), functionValues.contains(v.type) || v.type == "function_declaration" else { return }
        let name = v.field("name")?.text ?? "default"
        tags.append(Tag(name: name, kind: v.type.contains("class") ? "class" : "function", line: v.line, end: v.endLine,
            signature: v.field("parameters")?.text, doc: doc, exported: !hidden))
    }

    /// A function, or a TypeScript overload signature: one entry per name, counting its signatures.
    static func function(_ decl: Node, _ s: Statement, overloads: Overloads, into tags: inout [Tag]) {
        guard let name = decl.field("name") else { return }
        let count = overloads.signatures[name.text]
        if decl.type == "function_signature" {
            // A signature's entry is its implementation's; without one (`declare function`), the first signature's.
            if overloads.implemented.contains(name.text)
                || tags.contains(where: { $0.name == name.text && $0.scope == nil && $0.kind == "function" })
            {
                return
            }
        }
        let doc = s.doc ?? overloads.firstDoc[name.text]
        tags.append(Tag(name: name.text, kind: "function", line: name.line, end: decl.endLine,
            signature: decl.field("parameters")?.text, doc: doc, exported: s.visible(name.text),
            overloads: count.flatMap { $0 > 1 ? $0 : nil }))
    }

    /// A TypeScript enum and its members; a member's own JSDoc may hide it.
    static func enumeration(_ decl: Node, _ s: Statement, into tags: inout [Tag]) {
        guard let name = decl.field("name") else { return }
        tags.append(Tag(name: name.text, kind: "enum", line: name.line, end: decl.endLine, doc: s.doc,
            exported: s.visible(name.text)))
        for m in decl.field("body")?.namedChildren ?? [] where m.type == "property_identifier" || m.type == "enum_assignment" {
            guard let member = m.type == "enum_assignment" ? m.field("name") : m else { continue }
            let (mdoc, mhidden) = jsdoc(m)
            tags.append(Tag(name: member.text, kind: "enumerator", line: member.line, end: m.endLine, scope: name.text,
                scopeKind: "enum", doc: mdoc, exported: s.visible(name.text) && !mhidden))
        }
    }

    /// `const a = …, b = …`: an entry per named declarator; a class value brings its members.
    static func variables(_ decl: Node, _ s: Statement, into tags: inout [Tag]) {
        for d in decl.namedChildren where d.type == "variable_declarator" {
            guard let name = d.field("name"), name.type == "identifier" else { continue }
            let value = d.field("value")
            // `var x = require('x')` is an import; `var app = module.exports = …` is the module itself.
            if let v = value, isImportCall(v) || assignsExports(v, s.exports) { continue }
            let isFunction = value.map { functionValues.contains($0.type) } ?? false
            let isClass = value.map { $0.type == "class" || $0.type == "class_expression" } ?? false
            let isConst = decl.children.first?.text == "const"
            tags.append(Tag(name: name.text, kind: isClass ? "class" : isFunction ? "function" : isConst ? "constant" : "variable",
                line: name.line, end: d.endLine, signature: isFunction && !isClass ? value?.field("parameters")?.text : nil,
                doc: s.doc, exported: s.visible(name.text) || s.exports.aliases.contains(name.text) && !s.hidden))
            if isClass { members(value?.field("body"), scope: name.text, exported: s.visible(name.text), into: &tags) }
        }
    }

    /// `exports.x = …`, `obj.x = function …`, `Foo.prototype.x = …`, `proto.del = proto.delete`.
    static func assignment(_ e: Node, doc: String?, hidden: Bool, exports: Exports, into tags: inout [Tag]) {
        guard let left = e.field("left"), left.type == "member_expression", let prop = left.field("property"),
            let object = left.field("object"), var right = e.field("right")
        else { return }
        while right.type == "assignment_expression", let inner = right.field("right") { right = inner }
        var owner = object.text
        if owner.hasSuffix(".prototype") { owner = String(owner.dropLast(10)) }
        let isExports = exports.aliases.contains(owner)
        if isExports && right.type == "identifier" && right.text == prop.text { return }  // exports a declaration
        guard owner.first.map({ $0.isLetter || $0 == "_" || $0 == "$" }) ?? false,
            !owner.contains("("), owner.split(separator: ".").count <= 2
        else { return }
        let isFunction = functionValues.contains(right.type)
        let isAlias = right.type == "member_expression" || right.type == "identifier"
        // Plain values on arbitrary objects are state, not API; exports of any value are API.
        guard isFunction || isAlias || isExports else { return }
        let scope: String? = isExports ? nil : owner
        tags.append(Tag(name: prop.text, kind: isFunction ? (scope == nil ? "function" : "method") : isAlias ? "alias" : "variable",
            line: prop.line, end: e.endLine, scope: scope, scopeKind: scope == nil ? nil : "class",
            signature: isFunction ? right.field("parameters")?.text : isAlias ? "= " + right.text : nil, doc: doc,
            exported: !hidden && (isExports || exports.aliases.contains(owner) || exports.names.contains(owner))))
    }

    /// `Object.defineProperty(obj, 'name', { get … })` and helpers of the same shape (`defineGetter(obj, 'name', fn)`).
    static func propertyHelper(_ call: Node, doc: String?, hidden: Bool, exports: Exports, into tags: inout [Tag]) {
        guard let f = call.field("function"), f.text.hasSuffix("defineProperty") || f.text.range(of: "define") != nil,
            let args = call.field("arguments")?.namedChildren, args.count >= 3, args[1].type == "string"
        else { return }
        let name = String(args[1].text.dropFirst().dropLast())
        guard !name.isEmpty else { return }
        let owner = args[0].text.hasSuffix(".prototype") ? String(args[0].text.dropLast(10)) : args[0].text
        let isExports = exports.aliases.contains(owner)
        tags.append(Tag(name: name, kind: "property", line: args[1].line, end: call.endLine,
            scope: isExports ? nil : owner, scopeKind: isExports ? nil : "class", doc: doc,
            exported: !hidden && (isExports || exports.names.contains(owner))))
    }

    /// Class members, and TypeScript's interface members; TypeScript method overloads form one entry.
    static let memberTypes: Set<String> = [
        "method_definition", "field_definition", "public_field_definition", "method_signature", "abstract_method_signature",
        "property_signature",
    ]
    static let propertyTypes: Set<String> = ["field_definition", "public_field_definition", "property_signature"]

    static func members(_ body: Node?, scope: String, exported: Bool, into tags: inout [Tag]) {
        let list = (body?.namedChildren ?? []).filter { memberTypes.contains($0.type) }
        var seen: [String: Int] = [:]  // method name → index of its entry in tags
        for m in list {
            guard let name = m.field("name") ?? m.field("property") else { continue }
            let (doc, hidden) = jsdoc(m)
            let accessor = m.children.contains { $0.text == "get" || $0.text == "set" }
            let access = m.namedChildren.first { $0.type == "accessibility_modifier" }?.text
            let isPrivate = name.type == "private_property_identifier" || access == "private" || access == "protected"
            let isProperty = propertyTypes.contains(m.type) || accessor
            if !isProperty, m.type == "method_signature" || m.type == "method_definition", let i = seen[name.text],
                tags[i].kind == "method", !accessor
            {
                // Another signature of an overloaded method: one entry, which keeps the first doc. The
                // implementation after the signatures is not a signature callers see.
                if m.type == "method_signature" { tags[i].overloads = (tags[i].overloads ?? 1) + 1 }
                continue
            }
            if !isProperty { seen[name.text] = tags.count }
            tags.append(Tag(name: name.text, kind: isProperty ? "property" : "method",
                line: name.line, end: m.endLine, scope: scope, scopeKind: "class",
                signature: m.field("parameters")?.text, doc: doc, exported: exported && !hidden && !isPrivate))
        }
    }

    // MARK: Imports

    static func isImportCall(_ n: Node) -> Bool {
        var cur = n
        // `require('x').y`, `await import('x')`
        while cur.type == "member_expression" || cur.type == "await_expression", let inner = cur.namedChildren.first { cur = inner }
        guard cur.type == "call_expression", let f = cur.field("function") else { return false }
        return f.type == "import" || f.type == "identifier" && f.text == "require"
    }

    static func imports(_ root: Node) -> [ImportRecord] {
        var out: [ImportRecord] = []
        func record(_ n: Node, _ literal: Node?, dynamic: Bool = false) {
            guard let literal, literal.type == "string" || literal.type == "template_string",
                !literal.namedChildren.contains(where: { $0.type == "template_substitution" })
            else { return }
            let target = String(literal.text.dropFirst().dropLast())
            guard !target.isEmpty else { return }
            let relative = target.hasPrefix("./") || target.hasPrefix("../") || target == "." || target == ".."
            out.append(ImportRecord(line: n.line, target: target, kind: dynamic ? "dynamic" : relative ? "relative" : "module"))
        }
        root.walk(descend: { !["comment", "string", "template_string", "regex"].contains($0.type) }) { n in
            switch n.type {
            case "import_statement", "export_statement":
                record(n, n.field("source"))
            case "call_expression":
                guard let f = n.field("function"), let args = n.field("arguments") else { return }
                if f.type == "identifier" && f.text == "require" || f.type == "import" {
                    record(n, args.namedChildren.first, dynamic: f.type == "import")
                }
            default: break
            }
        }
        return out
    }
}
