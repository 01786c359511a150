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
    /// C: a definition with external linkage in a .c file; public when a header declares it.
    var needsDeclaration: Bool = false
    /// C#: one part of a `partial` type; the indexer keeps one entry per type.
    var partial: Bool = false
    /// "test" or "example" for declarations that exercise an API rather than belong to it.
    var role: String? = nil
    /// For examples: the symbol they document (Go's `ExampleFoo_bar` → `Foo.bar`).
    var documents: String? = nil
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

    static func lines(path: String, language: String, _ r: FileResult) -> [UInt8] {
        var out: [UInt8] = []
        func emit(_ object: [String: Any]) {
            guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
            out.append(contentsOf: data)
            out.append(0x0A)
        }
        for t in r.tags {
            var o: [String: Any] = [
                "_type": "tag", "name": t.name, "kind": t.kind, "path": path, "line": t.line, "end": t.end,
                "language": language, "exported": t.exported,
            ]
            if let v = t.scope { o["scope"] = v }
            if let v = t.scopeKind { o["scopeKind"] = v }
            if let v = t.signature.map(oneLine), !v.isEmpty { o["signature"] = v }
            if let v = t.doc { o["doc"] = v }
            if let v = t.overloads { o["overloads"] = v }
            if let v = t.role { o["role"] = v }
            if let v = t.typeref.map(oneLine) { o["typeref"] = v }
            if t.needsDeclaration { o["needsDeclaration"] = true }
            if t.partial { o["partial"] = true }
            if let v = t.documents { o["documents"] = v }
            emit(o)
        }
        for i in r.imports {
            var o: [String: Any] = [
                "_type": "import", "path": path, "line": i.line, "target": i.target, "kind": i.kind, "language": language,
            ]
            if !i.names.isEmpty { o["names"] = i.names }
            emit(o)
        }
        if let d = r.fileDoc { emit(["_type": "file", "path": path, "doc": d, "language": language]) }
        for n in r.notes { emit(["_type": "note", "path": path, "text": n, "language": language]) }
        return out
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
