import Foundation

/// The rules that make the pages a site: heading anchors (one slug rule shared by the Markdown and its
/// HTML), tables of contents, and links from `file:line` to the source at the documented commit.
public enum Site {
    /// A heading's anchor: lower case; letters, digits, `-`, `_` and `.` kept; spaces become `-`; anything
    /// else dropped. The same rule names the `id` in HTML and the `#fragment` in Markdown links.
    public static func slug(_ text: String) -> String {
        var out = ""
        for c in text.lowercased() {
            if c.isLetter || c.isNumber || c == "-" || c == "_" || c == "." {
                out.append(c)
            } else if c == " " {
                out.append("-")
            }
        }
        return out.isEmpty ? "section" : out
    }

    /// Slugs made unique within one page in document order (`name`, `name-1`, `name-2`…).
    public struct Slugger {
        private var used: [String: Int] = [:]
        public init() {}
        public mutating func next(_ text: String) -> String {
            let base = Site.slug(text)
            guard let n = used[base] else {
                used[base] = 0
                return base
            }
            var k = n + 1
            while used["\(base)-\(k)"] != nil { k += 1 }
            used[base] = k
            used["\(base)-\(k)"] = 0
            return "\(base)-\(k)"
        }
    }

    public struct Heading: Equatable, Sendable {
        public let level: Int
        public let text: String
        public let slug: String
        /// 1-based line in the Markdown.
        public let line: Int
    }

    /// The page's headings as they become anchors: ATX headings outside code fences and block quotes (quoted
    /// doc comments are the source's text; their headings get no anchor).
    public static func headings(_ markdown: String) -> [Heading] {
        var out: [Heading] = []
        var slugger = Slugger()
        var fence: String? = nil
        // Lines split as bytes: only those that start with `#`, a backquote or a tilde can open or close a
        // fence or be a heading, and only they are made into strings (pages run to 100 KiB, and every page is read).
        for (i, raw) in markdown.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            guard let b = raw.first, b == 0x23 || b == 0x60 || b == 0x7E else { continue }
            let line = String(Substring(raw))
            if let f = fence {
                if line.hasPrefix(f) && line.drop(while: { $0 == "`" || $0 == "~" }).allSatisfy(\.isWhitespace) { fence = nil }
                continue
            }
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                fence = String(line.prefix { $0 == line.first })
                continue
            }
            guard line.hasPrefix("#") else { continue }
            let level = line.prefix { $0 == "#" }.count
            guard level <= 6, line.dropFirst(level).first == " " else { continue }
            let text = plainText(String(line.dropFirst(level + 1)))
            out.append(Heading(level: level, text: text, slug: slugger.next(text), line: i + 1))
        }
        return out
    }

    /// The text a reader sees of an inline Markdown fragment as this generator writes it: code spans' content,
    /// backslash escapes and the three entities undone, link text without its target.
    public static func plainText(_ md: String) -> String {
        var out = ""
        let chars = Array(md)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1].isPunctuation || chars[i + 1].isSymbol {
                out.append(chars[i + 1])
                i += 2
            } else if c == "`" {
                if let (span, end) = MD.codeSpan(at: i, in: chars) {
                    out += span
                    i = end
                } else {
                    while i < chars.count, chars[i] == "`" {
                        out.append("`")
                        i += 1
                    }
                }
            } else if c == "&" {
                let rest = String(chars[i..<min(chars.count, i + 5)])
                if rest.hasPrefix("&lt;") { out += "<"; i += 4 } else if rest.hasPrefix("&gt;") { out += ">"; i += 4 } else if rest.hasPrefix("&amp;") {
                    out += "&"; i += 5
                } else { out.append(c); i += 1 }
            } else if c == "*" || c == "_" && (i == 0 || i + 1 == chars.count) {
                i += 1
            } else {
                out.append(c)
                i += 1
            }
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    /// A table of contents after the page's title: its sections, and under each its entries (at most
    /// `limit` lines). The "Contents" heading is itself part of the page, so anchors are computed with it.
    public static func withContents(_ markdown: String, limit: Int = 400) -> String {
        guard let firstBreak = markdown.range(of: "\n\n") else { return markdown }
        let head = String(markdown[..<firstBreak.upperBound])
        var rest = String(markdown[firstBreak.upperBound...])
        // Keep the subtitle line (`_…_`) under the title.
        if rest.hasPrefix("_"), let end = rest.range(of: "\n\n") {
            let sub = String(rest[..<end.upperBound])
            rest = String(rest[end.upperBound...])
            return insertContents(head + sub, rest, limit: limit)
        }
        return insertContents(head, rest, limit: limit)
    }

    private static func insertContents(_ head: String, _ rest: String, limit: Int) -> String {
        let draft = head + "## Contents\n\n" + rest
        let hs = headings(draft).filter { $0.level == 2 || $0.level == 3 }.filter { $0.text != "Contents" || $0.level != 2 }
        guard hs.count > 1 else { return head + rest }
        var list = ""
        for h in hs.prefix(limit) {
            list += (h.level == 3 ? "  - " : "- ") + "[\(MD.cell(h.text))](#\(h.slug))\n"
        }
        if hs.count > limit { list += "- _\(hs.count - limit) more entries are not listed._\n" }
        return head + "## Contents\n\n" + list + "\n" + rest
    }

    /// Where a `file:line` citation points: the host's view of the file at the documented commit for the
    /// hosts whose URL scheme is known, else the source view written beside the pages (`source/…`).
    public struct SourceLinks: Sendable {
        public let repositoryURL: String
        public let commit: String
        /// Every citation lands on a source view written beside the pages, whatever the host: the exported
        /// site (`scribe generate --site`) stands alone.
        public var sourceViewsOnly = false

        public init(repositoryURL: String, commit: String, sourceViewsOnly: Bool = false) {
            self.repositoryURL = repositoryURL
            self.commit = commit
            self.sourceViewsOnly = sourceViewsOnly
        }

        /// True when the commit is a real one (not the working tree of `scribe generate DIR`).
        var hasCommit: Bool { commit.count >= 7 && commit.allSatisfy(\.isHexDigit) }

        /// `https://host/owner/repo` for the hosts whose file view at a commit has a known address.
        var hostBase: (host: String, base: String)? {
            guard hasCommit, !sourceViewsOnly, let u = URLComponents(string: repositoryURL), u.scheme == "https", let host = u.host?.lowercased(),
                ["github.com", "gitlab.com", "codeberg.org", "bitbucket.org"].contains(host), u.port == nil
            else { return nil }
            var path = u.path
            if path.hasSuffix(".git") { path = String(path.dropLast(4)) }
            while path.hasSuffix("/") { path = String(path.dropLast()) }
            let parts = path.split(separator: "/")
            guard parts.count >= 2, parts.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) } }) else { return nil }
            return (host, "https://\(host)/" + parts.joined(separator: "/"))
        }

        /// True when the pages link to source views written into the documentation set.
        public var usesSourceViews: Bool { hostBase == nil }

        /// The link for `path:line` from a page at `pagePath`.
        public func url(_ path: String, line: Int, from pagePath: String) -> String {
            let encoded = path.split(separator: "/", omittingEmptySubsequences: false).map { percentEncode(String($0)) }.joined(separator: "/")
            if let (host, base) = hostBase {
                switch host {
                case "gitlab.com": return "\(base)/-/blob/\(commit)/\(encoded)#L\(line)"
                case "codeberg.org": return "\(base)/src/commit/\(commit)/\(encoded)#L\(line)"
                case "bitbucket.org": return "\(base)/src/\(commit)/\(encoded)#lines-\(line)"
                default: return "\(base)/blob/\(commit)/\(encoded)#L\(line)"
                }
            }
            let up = String(repeating: "../", count: pagePath.split(separator: "/").count - 1)
            return "\(up)\(Site.sourceViewPath(path))#L\(line)"
        }
    }

    /// The source view of a file (it states the commit it shows; a page reused from an earlier commit whose
    /// files are unchanged still lands on the same lines).
    public static func sourceViewPath(_ path: String) -> String { "source/\(Analysis.pageName(path)).html" }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(UnicodeScalar(b))
            if b < 0x80 && (c.isLetter || c.isNumber || "-_.~".contains(c)) {
                out.append(c)
            } else {
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }
}
