import Foundation

/// Schemas from SQL files: tables, views and materialized views with their columns, types, constraints,
/// keys and comments, foreign keys and the relations each view reads, as the tree-sitter SQL grammar
/// (PostgreSQL, MySQL and SQLite syntax) reads them. JSON lines:
/// `relation` (name, kind, doc and the statement), `column` (relation, name, type, constraints, doc),
/// `key` (a table constraint as written), `edge` (relation, target, kind `foreign key` or `reads`) and
/// `comment` (`COMMENT ON` and its target). Names are unquoted; nothing is guessed where the grammar
/// gave up (an `ERROR` node's text is kept only as written next to its column).
enum SQLSchema {
    static func lines(_ file: SyntaxFile) -> [UInt8] {
        var out = ""
        let p = Output.Value.string(file.path)
        var pendingDoc: [Node] = []
        for child in file.root.namedChildren {
            switch child.type {
            case "comment", "marginalia":
                if let last = pendingDoc.last, last.endLine + 1 < child.line { pendingDoc = [] }
                pendingDoc.append(child)
                continue
            case "statement":
                // Comment lines directly above the statement (no blank line between) are its documentation.
                let doc = pendingDoc.last.map { $0.endLine + 1 >= child.line } == true ? comment(pendingDoc) : nil
                statement(child, doc: doc, docLine: pendingDoc.first?.line, path: p, into: &out)
            default:
                break
            }
            pendingDoc = []
        }
        return Array(out.utf8)
    }

    /// `"Public".orders` → `Public.orders`; `` `products` `` → `products`.
    static func name(_ n: Node) -> String {
        var parts: [String] = []
        collectIdentifiers(n, &parts)
        return parts.isEmpty ? unquote(n.text) : parts.joined(separator: ".")
    }

    static func collectIdentifiers(_ n: Node, _ parts: inout [String]) {
        for c in n.namedChildren {
            if c.type == "object_reference" { collectIdentifiers(c, &parts) } else if c.type == "identifier" { parts.append(unquote(c.text)) }
        }
    }

    static func unquote(_ s: String) -> String {
        var t = s.trimmingSpaces
        if t.count >= 2, let f = t.first, let l = t.last, (f == "\"" && l == "\"") || (f == "`" && l == "`") || (f == "[" && l == "]") {
            t = String(t.dropFirst().dropLast())
        }
        return t
    }

    /// A string literal's text: `'It''s'` → `It's`.
    static func literal(_ s: String) -> String? {
        let t = s.trimmingSpaces
        guard t.count >= 2, let f = t.first, f == "'" || f == "\"", t.last == f else { return nil }
        return String(t.dropFirst().dropLast()).replacingOccurrences(of: "\(f)\(f)", with: "\(f)")
    }

    static func comment(_ nodes: [Node]) -> String? {
        var lines: [String] = []
        for n in nodes {
            let t = n.text
            if t.hasPrefix("--") {
                lines.append(String(t.dropFirst(2)))
            } else if let d = DocText.uncomment([t]) {
                lines += d.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            }
        }
        return DocText.dedent(lines)
    }

    static func statement(_ s: Node, doc: String?, docLine: Int?, path: Output.Value, into out: inout String) {
        guard let body = s.namedChildren.first else { return }
        let kinds = ["create_table": "table", "create_view": "view", "create_materialized_view": "materialized view"]
        if let kind = kinds[body.type], let ref = body.namedChildren.first(where: { $0.type == "object_reference" }) {
            let relation = name(ref)
            var tableComment: (String, Int)? = nil
            for opt in body.namedChildren where opt.type == "table_option" {
                // MySQL's `COMMENT='…'` table option.
                let t = opt.text
                if t.uppercased().hasPrefix("COMMENT"), let eq = t.firstIndex(where: { $0 == "=" || $0 == "'" }) {
                    let rest = t[eq...].drop(while: { $0 == "=" || $0 == " " })
                    if let l = literal(String(rest)) { tableComment = (l, opt.line) }
                }
            }
            let d = tableComment?.0 ?? doc
            Output.line([
                ("_type", .string("relation")), ("path", path), ("line", .int(body.line)), ("end", .int(body.endLine)),
                ("kind", .string(kind)), ("name", .string(relation)), ("doc", d.map(Output.Value.string)),
                ("docLine", (tableComment?.1 ?? (doc != nil ? docLine : nil)).map(Output.Value.int)), ("sql", .string(s.text + ";")),
            ], into: &out)
            if let defs = body.namedChildren.first(where: { $0.type == "column_definitions" }) {
                columns(defs, relation: relation, path: path, into: &out)
            }
            if let query = body.namedChildren.first(where: { $0.type == "create_query" }) {
                reads(query, relation: relation, path: path, into: &out)
            }
        } else if body.type == "alter_table", let ref = body.namedChildren.first(where: { $0.type == "object_reference" }) {
            let relation = name(ref)
            for action in body.namedChildren {
                if action.type == "add_column", let c = action.namedChildren.first(where: { $0.type == "column_definition" }) {
                    column(c, relation: relation, doc: nil, trailing: [], path: path, into: &out)
                } else if action.type == "add_constraint", let c = action.namedChildren.first(where: { $0.type == "constraint" }) {
                    let text = Output.oneLine(action.text.drop(while: { !$0.isWhitespace }).trimmingSpaces)
                    key(c, text: text, relation: relation, path: path, into: &out)
                }
            }
        } else if body.type == "comment_statement" {
            let kids = body.children.map(\.type)
            guard let ref = body.namedChildren.first(where: { $0.type == "object_reference" }),
                let lit = body.namedChildren.last(where: { $0.type == "literal" }), let text = literal(lit.text)
            else { return }
            let on = kids.contains("keyword_column") ? "column" : "relation"
            Output.line([
                ("_type", .string("comment")), ("path", path), ("line", .int(body.line)), ("on", .string(on)),
                ("target", .string(name(ref))), ("text", .string(text)),
            ], into: &out)
        }
    }

    /// Columns and table constraints. A `--` comment on the line a column ends on belongs to it; comment
    /// lines above a column (nothing else between) document that column.
    static func columns(_ defs: Node, relation: String, path: Output.Value, into out: inout String) {
        let kids = defs.namedChildren
        var i = 0
        var above: [Node] = []
        while i < kids.count {
            let k = kids[i]
            switch k.type {
            case "comment", "marginalia":
                above.append(k)
            case "column_definition":
                var trailing: [Node] = []
                var j = i + 1
                // What the grammar could not place (SQLite's AUTOINCREMENT, a COLLATE) stays with its column.
                while j < kids.count, kids[j].type == "ERROR", kids[j].line == k.endLine {
                    trailing.append(kids[j])
                    j += 1
                }
                var doc = above.isEmpty ? nil : comment(above)
                var docLine = above.first?.line
                if j < kids.count, kids[j].type == "comment", kids[j].line == k.endLine {
                    doc = comment([kids[j]])
                    docLine = kids[j].line
                    j += 1
                }
                column(k, relation: relation, doc: doc.map { ($0, docLine ?? k.line) }, trailing: trailing, path: path, into: &out)
                above = []
                i = j
                continue
            case "constraints":
                for c in k.namedChildren where c.type == "constraint" {
                    // `CONSTRAINT name` before a constraint the grammar does not join to it.
                    var text = c.text
                    if let prev = c.previousNamed, prev.type == "ERROR", prev.text.uppercased().hasPrefix("CONSTRAINT") {
                        text = prev.text + " " + text
                    }
                    key(c, text: Output.oneLine(text), relation: relation, path: path, into: &out)
                }
                above = []
            default:
                above = []
            }
            i += 1
        }
    }

    static let starters: Set<String> = [
        "keyword_not", "keyword_null", "keyword_primary", "keyword_unique", "keyword_default", "keyword_references", "keyword_check",
        "keyword_auto_increment", "keyword_generated", "keyword_comment", "keyword_collate", "keyword_constraint",
    ]

    static func column(
        _ c: Node, relation: String, doc: (String, Int)?, trailing: [Node], path: Output.Value, into out: inout String
    ) {
        guard let nameNode = c.field("name") else { return }
        let type = c.field("type")
        // Constraints as written, one per leading keyword (`NOT NULL`, `DEFAULT now()`, `REFERENCES t (id) ON DELETE CASCADE`).
        var groups: [[Node]] = []
        let after = c.children.filter { $0.startByte >= (type?.endByte ?? nameNode.endByte) }
        for n in after {
            if starters.contains(n.type) && !(n.type == "keyword_null" && groups.last?.last?.type == "keyword_not") || groups.isEmpty {
                groups.append([n])
            } else {
                groups[groups.count - 1].append(n)
            }
        }
        var constraints = groups.map { Output.oneLine(c.file.text($0.first!.startByte, $0.last!.endByte)) }
        constraints += trailing.map { Output.oneLine($0.text) }
        var d = doc
        for g in groups where g.first?.type == "keyword_comment" {
            if let lit = g.dropFirst().first, let text = literal(lit.text) { d = (text, lit.line) }
        }
        Output.line([
            ("_type", .string("column")), ("path", path), ("line", .int(nameNode.line)), ("relation", .string(relation)),
            ("name", .string(unquote(nameNode.text))), ("type", type.map { .string(Output.oneLine($0.text)) }),
            ("constraints", constraints.isEmpty ? nil : .strings(constraints)), ("doc", d.map { .string($0.0) }),
            ("docLine", d.map { .int($0.1) }),
        ], into: &out)
        for g in groups where g.first?.type == "keyword_references" {
            if let target = g.first(where: { $0.type == "object_reference" }) {
                edge(relation, target: name(target), kind: "foreign key", text: constraints[groups.firstIndex { $0.first?.startByte == g.first?.startByte }!],
                    line: g.first!.line, path: path, into: &out)
            }
        }
    }

    static func key(_ c: Node, text: String, relation: String, path: Output.Value, into out: inout String) {
        Output.line([("_type", .string("key")), ("path", path), ("line", .int(c.line)), ("relation", .string(relation)), ("text", .string(text))], into: &out)
        if c.children.contains(where: { $0.type == "keyword_references" }), let target = c.namedChildren.first(where: { $0.type == "object_reference" }) {
            edge(relation, target: name(target), kind: "foreign key", text: text, line: c.line, path: path, into: &out)
        }
    }

    /// The relations a view's query reads, common table expressions excepted.
    static func reads(_ query: Node, relation: String, path: Output.Value, into out: inout String) {
        var ctes = Set<String>()
        query.walk { n in
            if n.type == "cte", let id = n.namedChildren.first(where: { $0.type == "identifier" }) { ctes.insert(unquote(id.text).lowercased()) }
        }
        var seen = Set<String>()
        query.walk { n in
            guard n.type == "relation", let ref = n.namedChildren.first(where: { $0.type == "object_reference" }) else { return }
            let target = name(ref)
            guard !ctes.contains(target.lowercased()), seen.insert(target.lowercased()).inserted else { return }
            edge(relation, target: target, kind: "reads", text: Output.oneLine(ref.text), line: ref.line, path: path, into: &out)
        }
    }

    static func edge(_ relation: String, target: String, kind: String, text: String, line: Int, path: Output.Value, into out: inout String) {
        Output.line([
            ("_type", .string("edge")), ("path", path), ("line", .int(line)), ("relation", .string(relation)),
            ("target", .string(target)), ("kind", .string(kind)), ("text", .string(text)),
        ], into: &out)
    }
}
