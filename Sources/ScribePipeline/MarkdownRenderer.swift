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

    /// A standalone HTML page around a rendered Markdown page; links to other pages point at their .html.
    static func document(title: String, markdown: String, cssPath: String) -> String {
        let body = html(markdown.replacingOccurrences(of: ".md)", with: ".html)"))
        let t = title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(t)</title><link rel="stylesheet" href="\(cssPath)"></head>
            <body><main>
            \(body)</main></body></html>

            """
    }
}
