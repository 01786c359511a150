/// Ruby by its own rules (as YARD and RDoc read it): classes, modules and methods, `def self.x` as
/// singleton methods; a bare `private`/`protected` switches the visibility of the methods after it,
/// `private :name` and `private def x` mark one; the doc is the `#` comment block right above;
/// `require`, `require_relative` and `load` calls with a literal are the imports.
enum RubyRules {
    static func extract(_ file: SyntaxFile) -> FileResult {
        var r = FileResult()
        body(file.root, scope: nil, into: &r.tags)
        file.root.walk(descend: { !["comment", "string", "heredoc_body"].contains($0.type) }) { n in
            guard n.type == "call", n.field("receiver") == nil, let m = n.field("method"),
                ["require", "require_relative", "load", "autoload"].contains(m.text),
                let arg = n.field("arguments")?.namedChildren.last, arg.type == "string",
                !arg.namedChildren.contains(where: { $0.type == "interpolation" })
            else { return }
            let target = String(arg.text.dropFirst().dropLast())
            r.imports.append(ImportRecord(line: n.line, target: target, kind: m.text == "require_relative" ? "relative" : "module"))
        }
        return r
    }

    static func doc(_ n: Node) -> String? {
        var block = Comments.above(n, adjacent: true)
        // The grammar leaves a comment at the top of a class body outside the body: it is the first member's.
        if block.isEmpty, n.previousNamed == nil, let body = n.parent, body.type == "body_statement" {
            block = Comments.above(body, adjacent: true)
        }
        let lines = block.map(\.text).filter { !$0.hasPrefix("#!") && !$0.hasPrefix("# frozen_string_literal") }
        return DocText.uncomment(lines)
    }

    static func body(_ container: Node, scope: String?, into tags: inout [Tag]) {
        var visibility = "public"
        var hidden: Set<String> = []
        let statements = (container.type == "program" ? container : container.field("body"))?.namedChildren ?? []
        let start = tags.count
        for n in statements {
            switch n.type {
            case "class", "module":
                guard let name = n.field("name") else { continue }
                tags.append(Tag(name: name.text, kind: n.type, line: name.line, end: n.endLine, scope: scope,
                    scopeKind: scope == nil ? nil : "class", signature: n.field("superclass")?.text, doc: doc(n),
                    inherits: Output.baseNames(n.field("superclass").map { String($0.text.drop { $0 == "<" || $0 == " " }) })))
                let qualified = scope.map { "\($0).\(name.text)" } ?? name.text
                body(n, scope: qualified, into: &tags)
            case "method", "singleton_method":
                guard let name = n.field("name") else { continue }
                tags.append(Tag(name: name.text, kind: n.type == "method" ? "method" : "singletonMethod", line: name.line,
                    end: n.endLine, scope: scope, scopeKind: scope == nil ? nil : "class",
                    signature: n.field("parameters")?.text, doc: doc(n), exported: n.type == "singleton_method" || visibility == "public"))
            case "identifier":
                if ["private", "protected", "public"].contains(n.text) { visibility = n.text }
            case "call":
                // `private :a, :b`, `private def x … end`, `private_class_method :x`
                guard n.field("receiver") == nil, let m = n.field("method"),
                    ["private", "protected", "private_class_method"].contains(m.text)
                else { continue }
                for arg in n.field("arguments")?.namedChildren ?? [] {
                    if arg.type == "simple_symbol" { hidden.insert(String(arg.text.dropFirst())) }
                    if arg.type == "method", let name = arg.field("name") {
                        tags.append(Tag(name: name.text, kind: "method", line: name.line, end: arg.endLine, scope: scope,
                            scopeKind: scope == nil ? nil : "class", signature: arg.field("parameters")?.text, doc: doc(n),
                            exported: false))
                    }
                }
            case "assignment":
                guard let left = n.field("left"), left.type == "constant" else { continue }
                tags.append(Tag(name: left.text, kind: "constant", line: left.line, end: n.endLine, scope: scope,
                    scopeKind: scope == nil ? nil : "class", doc: doc(n)))
            default:
                continue
            }
        }
        for i in start..<tags.count where tags[i].scope == scope && hidden.contains(tags[i].name) { tags[i].exported = false }
    }
}
