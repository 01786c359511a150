/// `ref()`, `source()` and `config()` calls in dbt's Jinja-SQL, read as written: nothing is rendered or run.
enum Jinja {
    /// One call: its name, its literal arguments (nil when an argument is not a plain string or keyword
    /// with a string), its text and line.
    struct Call {
        let name: String
        let arguments: [String]?
        let keywords: [String: String]
        let text: String
        let line: Int
    }

    /// The Jinja expressions and statements (`{{ … }}`, `{% … %}`) of a file with the line each starts on;
    /// comments (`{# … #}`) are skipped, as dbt skips them.
    static func blocks(_ text: String) -> [(body: String, line: Int)] {
        let b = Array(text.utf8)
        var out: [(String, Int)] = []
        var i = 0
        var line = 1
        while i + 1 < b.count {
            if b[i] == 10 { line += 1 }
            guard b[i] == UInt8(ascii: "{"), [UInt8(ascii: "{"), UInt8(ascii: "%"), UInt8(ascii: "#")].contains(b[i + 1]) else {
                i += 1
                continue
            }
            let close: UInt8 = b[i + 1] == UInt8(ascii: "{") ? UInt8(ascii: "}") : b[i + 1]
            var j = i + 2
            while j + 1 < b.count, !(b[j] == close && b[j + 1] == UInt8(ascii: "}")) { j += 1 }
            let end = min(j, b.count)
            if b[i + 1] != UInt8(ascii: "#") { out.append((String(decoding: b[(i + 2)..<end], as: UTF8.self), line)) }
            for k in i..<min(end + 2, b.count) where b[k] == 10 { line += 1 }
            i = end + 2
        }
        return out
    }

    /// Calls of the given names within the Jinja blocks of a file (`ref`, `source`, `config`).
    static func calls(_ text: String, named names: Set<String>) -> [Call] {
        var out: [Call] = []
        for (body, startLine) in blocks(text) {
            let c = Array(body.unicodeScalars)
            var i = 0
            var line = startLine
            while i < c.count {
                if c[i] == "\n" { line += 1 }
                guard isIdentStart(c[i]), i == 0 || !(isIdent(c[i - 1]) || c[i - 1] == ".") else {
                    i += 1
                    continue
                }
                var j = i
                while j < c.count, isIdent(c[j]) { j += 1 }
                let name = String(String.UnicodeScalarView(c[i..<j]))
                var k = j
                while k < c.count, c[k] == " " { k += 1 }
                guard names.contains(name), k < c.count, c[k] == "(" else {
                    i = j
                    continue
                }
                // The argument list up to its matching parenthesis, strings respected.
                var depth = 0
                var m = k
                var quote: Unicode.Scalar? = nil
                while m < c.count {
                    let ch = c[m]
                    if let q = quote {
                        if ch == "\\" { m += 1 } else if ch == q { quote = nil }
                    } else if ch == "'" || ch == "\"" {
                        quote = ch
                    } else if ch == "(" {
                        depth += 1
                    } else if ch == ")" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    m += 1
                }
                let inner = String(String.UnicodeScalarView(c[(k + 1)..<min(m, c.count)]))
                let text = String(String.UnicodeScalarView(c[i..<min(m + 1, c.count)]))
                let (args, keywords) = literalArguments(inner)
                out.append(Call(name: name, arguments: args, keywords: keywords, text: text, line: line))
                for ch in c[j..<min(m, c.count)] where ch == "\n" { line += 1 }
                i = min(m + 1, c.count)
            }
        }
        return out
    }

    /// Positional string literals and `key=value` keywords; positional arguments are nil as a whole when any
    /// of them is not a plain string literal (a variable, a concatenation, a call).
    static func literalArguments(_ s: String) -> ([String]?, [String: String]) {
        var positional: [String] = []
        var keywords: [String: String] = [:]
        var dynamic = false
        for part in splitTopLevel(s) {
            let p = part.trimmingCharacters(in: .whitespacesAndNewlines)
            if p.isEmpty { continue }
            if let eq = p.firstIndex(of: "="), p[..<eq].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !p[..<eq].isEmpty {
                let key = String(p[..<eq])
                let value = p[p.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                keywords[key] = stringLiteral(value) ?? value
                continue
            }
            if let lit = stringLiteral(p) { positional.append(lit) } else { dynamic = true }
        }
        return (dynamic ? nil : positional, keywords)
    }

    static func stringLiteral(_ s: String) -> String? {
        guard s.count >= 2, let f = s.first, f == "'" || f == "\"", s.last == f else { return nil }
        let inner = s.dropFirst().dropLast()
        guard !inner.contains(f), !inner.contains("\\") else { return nil }
        return String(inner)
    }

    static func splitTopLevel(_ s: String) -> [String] {
        var parts: [String] = []
        var cur = ""
        var depth = 0
        var quote: Character? = nil
        for ch in s {
            if let q = quote {
                if ch == q { quote = nil }
            } else if ch == "'" || ch == "\"" {
                quote = ch
            } else if "([{".contains(ch) {
                depth += 1
            } else if ")]}".contains(ch) {
                depth -= 1
            } else if ch == ",", depth == 0 {
                parts.append(cur)
                cur = ""
                continue
            }
            cur.append(ch)
        }
        parts.append(cur)
        return parts
    }

    static func isIdentStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c.isASCII && c.properties.isAlphabetic) }
    static func isIdent(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || ("0"..."9").contains(c) }
}

import Foundation
