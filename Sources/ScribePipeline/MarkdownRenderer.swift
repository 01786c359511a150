import CCmark
import Foundation

/// GitHub-flavoured Markdown to HTML with cmark-gfm (tables, autolinks, strikethrough, task lists). Raw
/// HTML from repositories is not let through (cmark's safe mode), and the tagfilter extension is on.
enum MarkdownRenderer {
    private static let registered: Void = { cmark_gfm_core_extensions_ensure_registered() }()
    private static let lock = NSLock()

    static func html(_ markdown: String) -> String {
        _ = registered
        lock.lock()  // cmark's extension registry is global; parsing itself is per parser
        defer { lock.unlock() }
        let options = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_GITHUB_PRE_LANG
        guard let parser = cmark_parser_new(options) else { return "" }
        defer { cmark_parser_free(parser) }
        for name in ["table", "autolink", "strikethrough", "tasklist", "tagfilter"] {
            if let ext = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, ext) }
        }
        markdown.withCString { cmark_parser_feed(parser, $0, strlen($0)) }
        guard let doc = cmark_parser_finish(parser) else { return "" }
        defer { cmark_node_free(doc) }
        guard let out = cmark_render_html(doc, options, cmark_parser_get_syntax_extensions(parser)) else { return "" }
        defer { free(out) }
        return String(cString: out)
    }

    static func escape(_ s: String) -> String {
        // One pass over the bytes: every line of every source view goes through here.
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 }) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 32)
        for b in s.utf8 {
            switch b {
            case 0x26: out += [0x26, 0x61, 0x6D, 0x70, 0x3B]  // &amp;
            case 0x3C: out += [0x26, 0x6C, 0x74, 0x3B]  // &lt;
            case 0x3E: out += [0x26, 0x67, 0x74, 0x3B]  // &gt;
            case 0x22: out += [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B]  // &quot;
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Links to other pages (`x.md`, `x.md#anchor`) point at their `.html`.
    static func htmlLinks(_ markdown: String) -> String {
        markdown.replacingOccurrences(of: #"\]\(([^)\s]*?)\.md(#[^)\s]*)?\)"#, with: "]($1.html$2)", options: .regularExpression)
    }

    /// Mermaid blocks are the Markdown's diagram source; the HTML shows the SVG drawn from the same edges.
    static func withoutMermaid(_ markdown: String) -> String {
        markdown.replacingOccurrences(of: "(?m)^```mermaid\\n(?:.*\\n)*?```\\n", with: "", options: .regularExpression)
    }

    /// The page's body with an `id` on every heading outside block quotes, taken in order from `headings`
    /// (computed from the Markdown by `Site.headings`, so both formats share the anchors).
    static func withAnchors(_ html: String, _ headings: [Site.Heading]) -> String {
        var out = ""
        var quoteDepth = 0
        var next = 0
        var rest = Substring(html)
        while let lt = rest.firstIndex(of: "<") {
            out += rest[..<lt]
            rest = rest[lt...]
            if rest.hasPrefix("<blockquote") {
                quoteDepth += 1
            } else if rest.hasPrefix("</blockquote>") {
                quoteDepth -= 1
            } else if quoteDepth == 0, rest.dropFirst().first == "h",
                let d = rest.dropFirst(2).first, ("1"..."6").contains(d), rest.dropFirst(3).first == ">", next < headings.count
            {
                out += "<h\(d) id=\"\(escape(headings[next].slug))\">"
                next += 1
                rest = rest.dropFirst(4)
                continue
            }
            out.append("<")
            rest = rest.dropFirst()
        }
        return out + rest
    }

    /// A standalone HTML page around a rendered Markdown page: sidebar of modules, breadcrumbs, anchors.
    static func document(title: String, markdown: String, cssPath: String, sidebar: String = "", breadcrumbs: String = "",
                         scripts: String = "") -> String {
        let shown = withoutMermaid(markdown)
        let body = withAnchors(html(htmlLinks(shown)), Site.headings(shown))
        let nav = sidebar.isEmpty ? "" : "<nav class=\"sidebar\" aria-label=\"Modules\">\(sidebar)</nav>\n"
        let crumbs = breadcrumbs.isEmpty ? "" : "<nav class=\"breadcrumbs\" aria-label=\"Breadcrumbs\">\(breadcrumbs)</nav>\n"
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title><link rel="stylesheet" href="\(cssPath)">\(scripts)</head>
            <body>\(nav)<main>
            \(crumbs)\(body)</main></body></html>

            """
    }
}
