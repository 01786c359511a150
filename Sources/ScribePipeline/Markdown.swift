import Foundation

/// Small helpers for writing GitHub-flavoured Markdown safely.
enum MD {
    /// Escapes text for a table cell or inline position.
    static func cell(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "|": out += "\\|"
            case "\n", "\r": out += " "
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "`", "*", "_", "[", "]", "\\": out += "\\\(c)"
            default: out.append(c)
            }
        }
        return out
    }

    /// A code span that holds any text: control characters shown as escapes (a newline would end a table
    /// row or a heading), delimited by more backticks than the longest run inside.
    static func code(_ s: String) -> String {
        let text = Analysis.displayName(s)
        let ticks = String(repeating: "`", count: longestRun(of: "`", in: text) + 1)
        let pad = text.hasPrefix("`") || text.hasSuffix("`") ? " " : ""
        return "\(ticks)\(pad)\(text)\(pad)\(ticks)"
    }

    /// A fenced code block that no line of `text` can close.
    static func fenced(_ text: String, language: String) -> String {
        let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: text) + 1))
        return "\(fence)\(language)\n\(text)\n\(fence)\n"
    }

    static func longestRun(of c: Character, in s: String) -> Int {
        var best = 0
        var run = 0
        for x in s {
            run = x == c ? run + 1 : 0
            best = max(best, run)
        }
        return best
    }

    /// A code span inside a table cell: GitHub's tables split on `|` even in code spans, so it is escaped.
    static func codeCell(_ s: String) -> String { code(s).replacingOccurrences(of: "|", with: "\\|") }

    /// The first paragraph of prose in a README (headings, badges, HTML and blank lines skipped).
    static func firstParagraph(_ text: String, maxChars: Int = 1200) -> String? {
        var para: [String] = []
        var inFence = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                inFence.toggle()
                if !para.isEmpty { break }
                continue
            }
            if inFence { continue }
            if line.isEmpty {
                if !para.isEmpty { break }
                continue
            }
            if line.hasPrefix("#") || line.hasPrefix("<") || line.hasPrefix("[![") || line.hasPrefix("![") || line.hasPrefix("===")
                || line.hasPrefix("---") || line.hasPrefix("|")
            {
                if !para.isEmpty { break }
                continue
            }
            para.append(line)
        }
        guard !para.isEmpty else { return nil }
        let joined = para.joined(separator: " ")
        return joined.count > maxChars ? String(joined.prefix(maxChars)) + "…" : joined
    }

    static func quote(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }.joined(separator: "\n")
    }
}
