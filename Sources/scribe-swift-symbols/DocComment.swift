import SwiftSyntax

/// Doc comments (`///` runs and `/** */` blocks) found in leading trivia.
enum DocComment {
    private enum Item {
        case line(String)
        case block(String)
        case other
    }

    /// The comments of a trivia, each with the number of line breaks before it, and the number of
    /// line breaks after the last one.
    private static func items(_ trivia: Trivia) -> (items: [(item: Item, breaksBefore: Int)], trailingBreaks: Int) {
        var items: [(item: Item, breaksBefore: Int)] = []
        var breaks = 0
        for piece in trivia {
            switch piece {
            case .spaces, .tabs, .verticalTabs, .formfeeds:
                continue
            case .newlines(let n), .carriageReturns(let n), .carriageReturnLineFeeds(let n):
                breaks += n
                continue
            case .docLineComment(let text):
                items.append((.line(text), breaks))
            case .docBlockComment(let text):
                items.append((.block(text), breaks))
            default:
                items.append((.other, breaks))
            }
            breaks = 0
        }
        return (items, breaks)
    }

    /// The doc comment attached to a declaration: the nearest run of `///` lines, or the nearest
    /// `/** */` block, in the declaration's leading trivia with no blank line and no other comment
    /// between it and the declaration. nil when there is none.
    static func attached(_ trivia: Trivia) -> String? {
        // Cheap exit for the common case of no comment at all.
        if trivia.allSatisfy({ !$0.isComment }) { return nil }
        let (items, trailing) = items(trivia)
        guard trailing < 2, var i = items.indices.last else { return nil }
        switch items[i].item {
        case .block(let text):
            return nonEmpty(cleanBlock(text))
        case .line:
            var lines: [String] = []
            while i >= 0, case .line(let text) = items[i].item {
                lines.append(text)
                if items[i].breaksBefore >= 2 { break }
                i -= 1
            }
            return nonEmpty(cleanLines(lines.reversed()))
        case .other:
            return nil
        }
    }

    /// A doc comment that opens the file (nothing but whitespace before it) and is not attached to
    /// the first declaration: a blank line or another comment separates the two. `trivia` is the
    /// leading trivia of the file's first token. Returns the text and how many lines it spans.
    static func fileLevel(_ trivia: Trivia) -> (doc: String, lines: Int)? {
        let (items, trailing) = items(trivia)
        guard let first = items.first else { return nil }
        var end = 0
        let doc: String
        let lineCount: Int
        switch first.item {
        case .block(let text):
            doc = cleanBlock(text)
            lineCount = text.utf8.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        case .line(let text):
            var lines = [text]
            while end + 1 < items.count, items[end + 1].breaksBefore < 2, case .line(let t) = items[end + 1].item {
                lines.append(t)
                end += 1
            }
            doc = cleanLines(lines)
            lineCount = lines.count
        case .other:
            return nil
        }
        let separated = end + 1 < items.count || trailing >= 2
        guard separated, !doc.isEmpty else { return nil }
        return (doc, lineCount)
    }

    private static func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }

    /// `///` lines: markers stripped, common indentation removed.
    static func cleanLines(_ raw: [String]) -> String {
        let body = raw.map { line -> Substring in
            var s = Substring(line)
            if s.hasPrefix("///") { s = s.dropFirst(3) }
            return s
        }
        return finish(body)
    }

    /// `/** */` block: markers stripped, a column of leading `*` stripped, common indentation removed.
    static func cleanBlock(_ raw: String) -> String {
        var s = Substring(raw)
        if s.hasPrefix("/**") { s = s.dropFirst(3) }
        if s.hasSuffix("*/") { s = s.dropLast(2) }
        // "\r\n" is one Character in Swift, so it is matched as such.
        var lines = s.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        guard !lines.isEmpty else { return "" }
        // The first line follows `/**`: its own indentation is meaningless.
        lines[0] = lines[0].drop { $0 == " " || $0 == "\t" }
        // Leading-asterisk style: every non-blank continuation line starts with `*`.
        let rest = lines.indices.dropFirst()
        let starred = rest.allSatisfy { i in
            let t = lines[i].drop { $0 == " " || $0 == "\t" }
            return t.isEmpty || t.hasPrefix("*")
        } && rest.contains { !lines[$0].allSatisfy { $0 == " " || $0 == "\t" } }
        if starred {
            for i in rest {
                let t = lines[i].drop { $0 == " " || $0 == "\t" }
                lines[i] = t.hasPrefix("*") ? t.dropFirst() : t
            }
        }
        // Common indentation is measured on the continuation lines only.
        let first = lines[0]
        let tail = dedent(Array(lines.dropFirst()))
        return finish([first] + tail, dedentAll: false)
    }

    private static func indentation(_ s: Substring) -> Int {
        var n = 0
        for c in s {
            if c == " " || c == "\t" { n += 1 } else { break }
        }
        return n
    }

    private static func isBlank(_ s: Substring) -> Bool { s.allSatisfy { $0 == " " || $0 == "\t" } }

    private static func dedent(_ lines: [Substring]) -> [Substring] {
        let common = lines.filter { !isBlank($0) }.map(indentation).min() ?? 0
        return lines.map { isBlank($0) ? Substring("") : $0.dropFirst(common) }
    }

    private static func finish(_ lines: [Substring], dedentAll: Bool = true) -> String {
        var out = dedentAll ? dedent(lines) : lines.map { isBlank($0) ? Substring("") : $0 }
        out = out.map { line in
            var l = line
            while let last = l.last, last == " " || last == "\t" { l = l.dropLast() }
            return l
        }
        while let f = out.first, f.isEmpty { out.removeFirst() }
        while let l = out.last, l.isEmpty { out.removeLast() }
        return out.joined(separator: "\n")
    }
}
