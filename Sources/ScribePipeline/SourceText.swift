extension Substring {
    /// Spaces and tabs trimmed on the UTF-8 view: Foundation's trimmingCharacters goes through NSString
    /// and was the analysis' hot spot.
    var trimmed: Substring {
        let u = utf8
        var start = u.startIndex
        var end = u.endIndex
        while start < end, u[start] == 0x20 || u[start] == 0x09 || u[start] == 0x0D { start = u.index(after: start) }
        while end > start {
            let before = u.index(before: end)
            guard u[before] == 0x20 || u[before] == 0x09 || u[before] == 0x0D else { break }
            end = before
        }
        return self[start..<end]
    }
}

extension String {
    var trimmed: Substring { Substring(self).trimmed }
}

/// Reading doc comments and imports from source lines, per language family. Plain string work, no regexes:
/// it runs over every line of large repositories.
enum SourceText {
    static let hashComment: Set<String> = ["Python", "Ruby", "Shell", "Perl", "R", "Elixir", "Makefile", "YAML", "TOML", "Nim"]
    static let slashSlashDocs: Set<String> = ["Go", "C", "C++", "Objective-C", "Objective-C++", "Rust", "Zig"]

    /// The doc comment attached to the declaration on `index` (0-based), in the language's convention.
    static func docComment(_ lines: [Substring], at index: Int, language: String?) -> String? {
        guard index >= 0, index < lines.count, let language else { return nil }
        if language == "Python" { return pythonDocstring(lines, at: index) }
        let i = lineAboveAttributes(lines, index, language)
        guard i >= 0 else { return nil }
        if hashComment.contains(language) { return hashDoc(lines, endingAt: i) }
        if lines[i].trimmed.hasSuffix("*/") { return blockDoc(lines, endingAt: i, language: language) }
        return slashDoc(lines, endingAt: i, language: language)
    }

    /// The line above `index` that is not an attribute or annotation: those sit between a doc comment and its
    /// declaration. -1 when there is none.
    private static func lineAboveAttributes(_ lines: [Substring], _ index: Int, _ language: String) -> Int {
        var i = index - 1
        while i >= 0 {
            let t = lines[i].trimmed
            if t.hasPrefix("@") || t.hasPrefix("#[") || (language == "C#" && t.hasPrefix("[") && t.hasSuffix("]"))
                || t.hasPrefix("template<") || t.hasPrefix("template <")
            {
                i -= 1
            } else {
                break
            }
        }
        return i
    }

    /// `#` lines ending on line `last` (shebangs and Rust attributes are not comments).
    private static func hashDoc(_ lines: [Substring], endingAt last: Int) -> String? {
        var collected: [String] = []
        var i = last
        while i >= 0 {
            let t = lines[i].trimmed
            guard t.hasPrefix("#"), !t.hasPrefix("#!"), !t.hasPrefix("#[") else { break }
            collected.append(String(t.drop(while: { $0 == "#" })))
            i -= 1
        }
        return clean(collected.reversed())
    }

    /// The `/** … */` (or `/*! … */`, or any `/* … */` where `//` comments are docs too) that ends on line `i`;
    /// nil when its opening is over 400 lines up or it is not a doc comment.
    private static func blockDoc(_ lines: [Substring], endingAt i: Int, language: String) -> String? {
        var j = i
        var block: [String] = []
        while j >= 0 {
            let t = lines[j].trimmed
            block.append(String(t))
            if t.contains("/*") { break }
            j -= 1
            if i - j > 400 { return nil }
        }
        guard j >= 0, let opening = block.last else { return nil }
        let isDoc = opening.hasPrefix("/**") || opening.hasPrefix("/*!") || slashSlashDocs.contains(language)
        guard isDoc, opening.hasPrefix("/*") else { return nil }
        let body = block.reversed().map { line -> String in
            var s = Substring(line)
            if s.hasPrefix("/**") || s.hasPrefix("/*!") { s = s.dropFirst(3) } else if s.hasPrefix("/*") { s = s.dropFirst(2) }
            if s.hasSuffix("*/") { s = s.dropLast(2) }
            let t = s.trimmed
            if t.hasPrefix("*") { return String(t.dropFirst()) }
            return String(s)
        }
        return clean(body)
    }

    /// `///` lines ending on line `last`, and `//` lines in the languages whose docs they are (`//!` documents
    /// the enclosing item instead).
    private static func slashDoc(_ lines: [Substring], endingAt last: Int, language: String) -> String? {
        var collected: [String] = []
        var i = last
        let slashOK = slashSlashDocs.contains(language)
        while i >= 0 {
            let t = lines[i].trimmed
            if t.hasPrefix("///") {
                collected.append(String(t.dropFirst(3)))
            } else if slashOK && t.hasPrefix("//") && !t.hasPrefix("//!") {
                collected.append(String(t.dropFirst(2)))
            } else {
                break
            }
            i -= 1
        }
        return clean(collected.reversed())
    }

    static func pythonDocstring(_ lines: [Substring], at index: Int) -> String? {
        var i = index
        // The header may span lines: find the line that ends it with ':'.
        while i < lines.count && i < index + 12 {
            if lines[i].trimmed.hasSuffix(":") { break }
            i += 1
        }
        i += 1
        while i < lines.count && lines[i].trimmed.isEmpty { i += 1 }
        guard i < lines.count else { return nil }
        var t = lines[i].trimmed
        for p in ["r", "u", "R", "U"] where t.hasPrefix(p + "\"\"\"") || t.hasPrefix(p + "'''") { t.removeFirst() }
        guard let quote = ["\"\"\"", "'''"].first(where: { t.hasPrefix($0) }) else { return nil }
        var rest = String(t.dropFirst(3))
        if let end = rest.range(of: quote) { return clean([String(rest[..<end.lowerBound])]) }
        var out = [rest]
        i += 1
        while i < lines.count && i < index + 400 {
            rest = String(lines[i])
            if let end = rest.range(of: quote) {
                out.append(String(rest[..<end.lowerBound]))
                return clean(out)
            }
            out.append(rest)
            i += 1
        }
        return nil
    }

    /// Trims blank edges and common indentation; nil when nothing is left.
    static func clean<S: Sequence>(_ raw: S) -> String? where S.Element == String {
        var lines = Array(raw).map { l -> String in
            var s = l
            while s.hasSuffix(" ") || s.hasSuffix("\t") || s.hasSuffix("\r") { s.removeLast() }
            return s
        }
        while let f = lines.first, f.trimmed.isEmpty { lines.removeFirst() }
        while let l = lines.last, l.trimmed.isEmpty { lines.removeLast() }
        guard !lines.isEmpty else { return nil }
        let indent = lines.filter { !$0.trimmed.isEmpty }
            .map { $0.prefix(while: { $0 == " " || $0 == "\t" }).count }.min() ?? 0
        let text = lines.map { String($0.dropFirst(min(indent, $0.count))) }.joined(separator: "\n")
        return text.count > 4000 ? String(text.prefix(4000)) + "…" : text
    }

    // MARK: Imports

    static func quoted(_ s: Substring) -> String? {
        for q in ["\"", "'", "`"] {
            guard let a = s.range(of: q) else { continue }
            let rest = s[a.upperBound...]
            guard let b = rest.range(of: q) else { continue }
            let v = String(rest[..<b.lowerBound])
            return v.isEmpty ? nil : v
        }
        return nil
    }

    static func upTo(_ s: Substring, _ stops: [Character]) -> String {
        String(s.prefix(while: { !stops.contains($0) }).trimmed)
    }

    /// Every import-like statement of a file, with its 1-based line, its target as written, and whether
    /// it is relative to the file (C quoted includes, Ruby require_relative, PHP require).
    static func imports(_ lines: [Substring], language: String?) -> [(line: Int, target: String, relative: Bool)] {
        guard let language else { return [] }
        var scan = ImportScan()
        for (n, raw) in lines.enumerated() {
            let t = raw.trimmed
            guard !t.isEmpty else { continue }
            scan.lineNumber = n + 1
            let line = Substring(t)
            switch language {
            case "Python": scan.python(line)
            case "JavaScript", "TypeScript", "Vue", "Svelte": scan.javaScript(line)
            case "Go": scan.go(line)
            case "Rust": scan.rust(line)
            case "C", "C++", "Objective-C", "Objective-C++": scan.c(line)
            case "Java", "Kotlin", "Scala", "Dart": scan.java(line)
            case "C#": scan.cSharp(line)
            case "Ruby": scan.ruby(line)
            case "PHP": scan.php(line)
            case "Swift": scan.swift(line)
            default: break
            }
        }
        return scan.found.filter { !$0.1.isEmpty && $0.1.count < 300 }
            .map { (line: $0.0, target: $0.1, relative: $0.2) }
    }
}

extension SourceText {
    /// One `imports` in progress: what it found, the line being read, and Go's `import (` block, the one
    /// statement that spans lines. Each language's reader takes one trimmed, non-empty line.
    fileprivate struct ImportScan {
        var found: [(Int, String, Bool)] = []
        var lineNumber = 0  // 1-based
        var inGoBlock = false

        mutating func add(_ target: String, relative: Bool = false) { found.append((lineNumber, target, relative)) }

        mutating func python(_ line: Substring) {
            if line.hasPrefix("import ") {
                for part in line.dropFirst(7).split(separator: ",") {
                    let name = upTo(part.drop(while: { $0 == " " }), [" ", "#"])
                    if !name.isEmpty { add(name) }
                }
            } else if line.hasPrefix("from ") {
                let name = upTo(line.dropFirst(5), [" "])
                if !name.isEmpty { add(name) }
            }
        }

        mutating func javaScript(_ line: Substring) {
            if line.hasPrefix("import ") || line.hasPrefix("export ") && line.contains(" from ") {
                if let r = line.range(of: " from ") { if let q = quoted(line[r.upperBound...]) { add(q) } } else if let q = quoted(line) { add(q) }
            } else if let r = line.range(of: "require(") {
                if let q = quoted(line[r.upperBound...]) { add(q) }
            }
        }

        mutating func go(_ line: Substring) {
            if line.hasPrefix("import (") {
                inGoBlock = true
            } else if inGoBlock {
                if line.hasPrefix(")") {
                    inGoBlock = false
                } else if let q = quoted(line) {
                    add(q)
                }
            } else if line.hasPrefix("import ") {
                if let q = quoted(line) { add(q) }
            }
        }

        mutating func rust(_ line: Substring) {
            if line.hasPrefix("use ") || line.hasPrefix("pub use ") {
                let body = line.hasPrefix("pub ") ? line.dropFirst(8) : line.dropFirst(4)
                add(upTo(body, [";", "{", " "]))
            } else if line.hasPrefix("mod ") || line.hasPrefix("pub mod ") {
                if line.hasSuffix(";") { add(upTo(line.hasPrefix("pub ") ? line.dropFirst(8) : line.dropFirst(4), [";", " "]), relative: true) }
            } else if line.hasPrefix("extern crate ") {
                add(upTo(line.dropFirst(13), [";", " "]))
            }
        }

        mutating func c(_ line: Substring) {
            guard line.hasPrefix("#include") || line.hasPrefix("#import") || line.hasPrefix("# include") else { return }
            if let q = quoted(line) {
                add(q, relative: true)
            } else if let a = line.firstIndex(of: "<"), let b = line.lastIndex(of: ">"), a < b {
                add(String(line[line.index(after: a)..<b]))
            }
        }

        mutating func java(_ line: Substring) {
            guard line.hasPrefix("import ") else { return }
            var body = line.dropFirst(7)
            if body.hasPrefix("static ") { body = body.dropFirst(7) }
            if let q = quoted(body) { add(q) } else { add(upTo(body, [";", " "])) }
        }

        mutating func cSharp(_ line: Substring) {
            guard line.hasPrefix("using ") && line.hasSuffix(";") && !line.contains("=") && !line.contains("(") else {
                return
            }
            var body = line.dropFirst(6)
            if body.hasPrefix("static ") { body = body.dropFirst(7) }
            add(upTo(body, [";", " "]))
        }

        mutating func ruby(_ line: Substring) {
            if line.hasPrefix("require_relative ") {
                if let q = quoted(line) { add(q, relative: true) }
            } else if line.hasPrefix("require ") || line.hasPrefix("load ") {
                if let q = quoted(line) { add(q) }
            }
        }

        mutating func php(_ line: Substring) {
            if line.hasPrefix("use ") {
                add(upTo(line.dropFirst(4), [";", " ", "{"]))
            } else if ["require", "include"].contains(where: { line.hasPrefix($0) }) {
                if let q = quoted(line) { add(q, relative: true) }
            }
        }

        mutating func swift(_ line: Substring) {
            var body = line
            if body.hasPrefix("@testable ") { body = body.dropFirst(10) }
            if body.hasPrefix("@_exported ") { body = body.dropFirst(11) }
            guard body.hasPrefix("import ") else { return }
            let words = body.dropFirst(7).split(separator: " ")
            if let last = words.last { add(String(last.split(separator: ".").first ?? last)) }
        }
    }
}
