import Foundation

/// A declaration as scribe-parse reports it (a ctags-style `"_type": "tag"` line plus visibility).
struct Tag {
    var name: String
    var kind: String
    var line: Int
    var end: Int
    var scope: String? = nil
    var scopeKind: String? = nil
    var signature: String? = nil
    /// ctags' `typename:T` for a C declaration's type.
    var typeref: String? = nil
    var doc: String? = nil
    /// By the language's own rule (`_` names, `export`, `pub`, capitalised, `static`, `@private`…).
    var exported: Bool = true
    /// How many declarations this entry stands for when overloads are grouped (`@overload` stubs).
    var overloads: Int? = nil
    /// The signatures of an overload group, in source order, when they are more than one (`@overload` stubs).
    var signatures: [String] = []
    /// C: a definition with external linkage in a .c file; public when a header declares it.
    var needsDeclaration: Bool = false
    /// C#: one part of a `partial` type; the indexer keeps one entry per type.
    var partial: Bool = false
    /// "test" or "example" for declarations that exercise an API rather than belong to it.
    var role: String? = nil
    /// For examples: the symbol they document (Go's `ExampleFoo_bar` → `Foo.bar`).
    var documents: String? = nil
    /// A type's base classes, interfaces and protocols as its declaration names them.
    var inherits: [String] = []
}

/// An import, include, use or require statement, as written.
struct ImportRecord {
    var line: Int
    var target: String
    /// "relative" (resolved against the importing file), "system" (`#include <…>`), "module" otherwise;
    /// "dynamic" for `import()` with a literal, "mod" for Rust's `mod x;`.
    var kind: String
    /// The names a `from … import a, b` statement takes from its target.
    var names: [String] = []
}

/// What one file yields.
struct FileResult {
    var tags: [Tag] = []
    var imports: [ImportRecord] = []
    /// The file's own documentation (module docstring, Go package comment, Rust `//!`).
    var fileDoc: String? = nil
    /// A note for the reader, such as a dynamic `__all__`.
    var notes: [String] = []
}

enum Output {
    /// The type names of a declaration's heritage text (`(Base, metaclass=M)`, `extends A<T> implements B`,
    /// `: public Base, private Other`, `: Base(), I`): keywords, access specifiers, keyword arguments and
    /// generic or call arguments dropped; names kept as written (`pkg.Base`, `ns::Base`).
    static func baseNames(_ heritage: String?) -> [String] {
        guard var text = heritage?.trimmingSpaces, !text.isEmpty else { return [] }
        if text.hasPrefix("("), text.hasSuffix(")") { text = String(text.dropFirst().dropLast()) }
        var flat = ""
        var depth = 0
        for c in text {
            if "<([{".contains(c) { depth += 1; continue }
            if ">)]}".contains(c) { depth = max(0, depth - 1); continue }
            if depth == 0 { flat.append(c) }
        }
        let keywords: Set<String> = ["extends", "implements", "public", "private", "protected", "virtual", "internal", "with", "override"]
        var out: [String] = []
        for piece in flat.split(separator: ",") {
            if piece.contains("=") { continue }  // Python's metaclass=…, keyword arguments
            for word in piece.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
                if word == "where" { return out }  // C# constraints follow
                let name = word.trimmingCharacters(in: CharacterSet(charactersIn: ":<;{").union(.whitespaces))
                guard !name.isEmpty, !keywords.contains(name), name.first.map({ $0.isLetter || $0 == "_" || $0 == "\\" }) ?? false,
                    name.allSatisfy({ $0.isLetter || $0.isNumber || "_.:$\\".contains($0) })
                else { continue }
                if !out.contains(name) { out.append(name) }
            }
        }
        return out
    }

    /// A declaration's text on one line, as ctags gives signatures: `(\n    self,\n    x,\n)` → `(self, x)`.
    static func oneLine(_ s: String) -> String {
        var out = ""
        var space = false
        for c in s {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                space = true
                continue
            }
            if space && !out.isEmpty && !"([".contains(out.last!) && !")],".contains(c) { out.append(" ") }
            if (c == ")" || c == "]") && out.last == "," { out.removeLast() }
            space = false
            out.append(c)
        }
        return out
    }

    /// A JSON value as written on a line; keys keep the order given (Foundation's serializer sorted them
    /// through ICU and took half the run time).
    enum Value {
        case string(String)
        case int(Int)
        case bool(Bool)
        case strings([String])
    }

    static func quoted(_ s: String, into out: inout String) {
        out.append("\"")
        for u in s.unicodeScalars {
            switch u {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            default:
                if u.value < 0x20 {
                    out.append("\\u00")
                    out.append(String(u.value, radix: 16).count == 1 ? "0" + String(u.value, radix: 16) : String(u.value, radix: 16))
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out.append("\"")
    }

    static func line(_ fields: [(String, Value?)], into out: inout String) {
        out.append("{")
        var first = true
        for (key, value) in fields {
            guard let value else { continue }
            if !first { out.append(",") }
            first = false
            quoted(key, into: &out)
            out.append(":")
            switch value {
            case .string(let v): quoted(v, into: &out)
            case .int(let v): out.append(String(v))
            case .bool(let v): out.append(v ? "true" : "false")
            case .strings(let vs):
                out.append("[")
                for (i, v) in vs.enumerated() {
                    if i > 0 { out.append(",") }
                    quoted(v, into: &out)
                }
                out.append("]")
            }
        }
        out.append("}\n")
    }

    static func lines(path: String, language: String, _ r: FileResult) -> [UInt8] {
        var out = ""
        let p = Value.string(path)
        let lang = Value.string(language)
        for t in r.tags {
            let signature = t.signature.map(oneLine).flatMap { $0.isEmpty ? nil : Value.string($0) }
            line([
                ("_type", .string("tag")), ("name", .string(t.name)), ("kind", .string(t.kind)), ("path", p),
                ("line", .int(t.line)), ("end", .int(t.end)), ("language", lang), ("exported", .bool(t.exported)),
                ("scope", t.scope.map(Value.string)), ("scopeKind", t.scopeKind.map(Value.string)),
                ("signature", signature), ("typeref", t.typeref.map { .string(oneLine($0)) }),
                ("doc", t.doc.map(Value.string)), ("overloads", t.overloads.map(Value.int)),
                ("signatures", t.signatures.isEmpty ? nil : .strings(t.signatures.map(oneLine))), ("role", t.role.map(Value.string)),
                ("documents", t.documents.map(Value.string)), ("needsDeclaration", t.needsDeclaration ? .bool(true) : nil),
                ("partial", t.partial ? .bool(true) : nil),
                ("inherits", t.inherits.isEmpty ? nil : .string(t.inherits.joined(separator: ","))),
            ], into: &out)
        }
        for i in r.imports {
            line([
                ("_type", .string("import")), ("path", p), ("line", .int(i.line)), ("target", .string(i.target)),
                ("kind", .string(i.kind)), ("language", lang), ("names", i.names.isEmpty ? nil : .strings(i.names)),
            ], into: &out)
        }
        if let d = r.fileDoc { line([("_type", .string("file")), ("path", p), ("doc", .string(d)), ("language", lang)], into: &out) }
        for n in r.notes { line([("_type", .string("note")), ("path", p), ("text", .string(n)), ("language", lang)], into: &out) }
        return Array(out.utf8)
    }
}

/// Doc text helpers shared by the languages: comment markers off, indentation off.
enum DocText {
    /// inspect.cleandoc: the first line's leading blanks and the other lines' common indentation
    /// removed, tabs expanded, blank lines at both ends dropped. Nil when nothing is left.
    static func cleandoc(_ raw: String) -> String? {
        let lines = raw.replacingOccurrences(of: "\t", with: "        ").split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0).trimmingTrailing }
        guard !lines.isEmpty else { return nil }
        var out = [lines[0].trimmingSpaces]
        let rest = lines.dropFirst()
        let indent = rest.filter { !$0.trimmingSpaces.isEmpty }.map { $0.prefix(while: { $0 == " " }).count }.min() ?? 0
        out += rest.map { String($0.dropFirst(min(indent, $0.prefix(while: { $0 == " " }).count))) }
        while let f = out.first, f.isEmpty { out.removeFirst() }
        while let l = out.last, l.isEmpty { out.removeLast() }
        return out.isEmpty ? nil : out.joined(separator: "\n")
    }

    /// A comment's text without its markers (`//`, `///`, `#`, `/* */`, `/** */`, leading `*`), dedented.
    static func uncomment(_ comments: [String]) -> String? {
        var lines: [String] = []
        for c in comments {
            // Some grammars (Rust) end a line comment's node with its line break.
            let t = c.trimmingSpaces.trimmingCharacters(in: .newlines)
            if t.hasPrefix("/*") {
                var body = Substring(t.dropFirst(2))
                while body.first == "*" || body.first == "!" { body = body.dropFirst() }
                if body.hasSuffix("*/") { body = body.dropLast(2) }
                var ls = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                // A leading ` * ` column is decoration.
                let inner = ls.dropFirst().filter { !$0.trimmingSpaces.isEmpty }
                if !inner.isEmpty && inner.allSatisfy({ $0.trimmingSpaces.hasPrefix("*") }) {
                    ls = [ls[0]] + ls.dropFirst().map { l in
                        let s = l.trimmingSpaces
                        guard s.hasPrefix("*") else { return s }
                        let r = s.dropFirst()
                        return String(r.hasPrefix(" ") ? r.dropFirst() : r)
                    }
                }
                lines += ls
            } else {
                var s = Substring(t)
                for marker in ["///", "//!", "//", "#"] where s.hasPrefix(marker) {
                    s = s.dropFirst(marker.count)
                    break
                }
                lines.append(String(s))
            }
        }
        return dedent(lines)
    }

    /// Common indentation and blank edges removed; nil when empty.
    static func dedent(_ raw: [String]) -> String? {
        var lines = raw.map { $0.trimmingTrailing }
        while let f = lines.first, f.trimmingSpaces.isEmpty { lines.removeFirst() }
        while let l = lines.last, l.trimmingSpaces.isEmpty { lines.removeLast() }
        guard !lines.isEmpty else { return nil }
        let indent = lines.filter { !$0.trimmingSpaces.isEmpty }.map { $0.prefix(while: { $0 == " " }).count }.min() ?? 0
        return lines.map { String($0.dropFirst(min(indent, $0.prefix(while: { $0 == " " }).count))) }
            .joined(separator: "\n")
    }
}

extension String {
    var trimmingTrailing: String {
        var s = Substring(self)
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
