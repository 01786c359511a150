import Foundation
import ScribeCore
import ScribeStore

/// The parts of a documentation set that make it a site: navigation, source views, search index, llms.txt.
extension DocsOutput {
    /// Makes the folder a site that stands alone, as `docs.zip` gives it: every `file:line` links to a source
    /// view written beside the pages (never to the host's file view), so it opens from `file://` offline.
    public mutating func makeSite() {
        if let links = generator.sourceLinks {
            generator.sourceLinks = Site.SourceLinks(repositoryURL: links.repositoryURL, commit: links.commit, sourceViewsOnly: true)
        }
    }


    /// The sidebar: the overview, a search box (filled in by `site.js`) and every module's page; its links written once per folder depth, the current page marked on each page
    /// (every page has one, so building it anew per page made the HTML stage quadratic in the modules).
    final class Sidebar {
        private let listed: [(path: String, title: String)]
        /// Per folder depth: the sidebar, and where in its UTF-8 each module's link starts.
        private var byDepth: [String: (html: String, links: [String: Int])] = [:]

        init(_ pages: [LeaseStore.PageRecord], _ modules: [Analysis.Module]) {
            let written = Set(pages.map(\.path))
            listed = modules.filter { written.contains($0.pagePath) }.map { ($0.pagePath, $0.name) }
        }

        static func href(_ path: String, up: String) -> String {
            "href=\"\(MarkdownRenderer.escape(up + String(path.dropLast(3)) + ".html"))\""
        }

        func html(current: String, up: String) -> String {
            let base = byDepth[up] ?? {
                var out = "<p><a href=\"\(up)index.html\">Overview</a></p>"
                out += "<div class=\"search\" role=\"search\" data-root=\"\(up)\"></div>"
                out += "<p class=\"nav-title\">Modules</p><ul>"
                var links: [String: Int] = [:]
                for (path, title) in listed {
                    links[path] = out.utf8.count
                    out += "<li><a \(Sidebar.href(path, up: up))>\(MarkdownRenderer.escape(title))</a></li>"
                }
                out += "</ul>"
                byDepth[up] = (out, links)
                return (out, links)
            }()
            // The current page's link, marked where it was written (a search of the whole sidebar per page cost
            // more than the page's HTML on a tree of many modules). Titles are escaped: no other `<li><a`.
            guard let at = base.links[current] else { return base.html }
            let link = "<li><a \(Sidebar.href(current, up: up))>"
            let utf8 = base.html.utf8
            let start = utf8.index(utf8.startIndex, offsetBy: at)
            let end = utf8.index(start, offsetBy: link.utf8.count)
            return String(base.html[..<start]) + "<li><a \(Sidebar.href(current, up: up)) aria-current=\"page\">" + String(base.html[end...])
        }
    }

    /// Overview › module › part.
    func breadcrumbs(_ p: LeaseStore.PageRecord, _ modules: [Analysis.Module], ctx: BuiltinGenerator.Context, up: String) -> String {
        let e = MarkdownRenderer.escape
        guard p.path != "index.md" else { return e(ctx.repositoryName) }
        var out = "<a href=\"\(up)index.html\">\(e(ctx.repositoryName))</a>"
        if let m = modules.first(where: { $0.path == p.module }) {
            if p.path == m.pagePath {
                out += " › " + e(m.name)
            } else {
                out += " › <a href=\"\(e(up + "modules/" + m.pageName + ".html"))\">\(e(m.name))</a> › " + e(p.title)
            }
        } else {
            out += " › " + e(p.title)
        }
        return out
    }

    /// Files over this size get no source view (the link still names the commit and line).
    static let maxSourceViewBytes = 1 << 20

    /// One HTML page per file of the documented modules (and per file an overview fact cites), every line
    /// with its anchor (`#L12`), stating the commit it shows. Read through `CloneTree`, so only regular files
    /// inside the clone are read.
    func writeSourceViews(_ modules: [Analysis.Module], _ a: Analysis, root: String, commit: String) throws -> [LeaseStore.PageRecord] {
        let tree = CloneTree(root: root)
        var out: [LeaseStore.PageRecord] = []
        let rev = commit.count >= 7 && commit.allSatisfy(\.isHexDigit) ? "commit \(commit)" : "the working tree"
        // One view per file: data objects read from one schema file share it, and facts may cite it again.
        var files: [(path: String, module: Analysis.Module?)] = []
        var seen = Set<String>()
        for m in modules { for f in m.files where seen.insert(f.path).inserted { files.append((f.path, m)) } }
        for f in a.facts.all where seen.insert(f.path).inserted { files.append((f.path, nil)) }
        // The tests and examples an entry says it is used in: their lines are linked too.
        for path in Set(a.examples.values.flatMap { $0.map(\.path) }).sorted() where seen.insert(path).inserted { files.append((path, nil)) }
        let e = MarkdownRenderer.escape
        for (file, m) in files {
            guard case .bytes(let bytes) = tree.read(file, maxBytes: DocsOutput.maxSourceViewBytes) else { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            let path = Site.sourceViewPath(file)
            let up = String(repeating: "../", count: path.split(separator: "/").count - 1)
            var html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(e(file))</title>"
            html += "<link rel=\"stylesheet\" href=\"\(up)style.css\"></head><body><main class=\"source\">"
            html += "<nav class=\"breadcrumbs\"><a href=\"\(up)index.html\">Overview</a>"
            if let m { html += " › <a href=\"\(up)\(e(String(m.pagePath.dropLast(3)))).html\">\(e(m.name))</a>" }
            html += "</nav><h1 id=\"file\"><code>\(e(file))</code></h1><p>At \(rev).</p><ol>"
            var n = 0
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                n += 1
                html += "<li id=\"L\(n)\">\(e(String(line)))</li>"
            }
            html += "</ol></main></body></html>\n"
            try DocsOutput.write(html, to: "\(dir)/\(path)")
            out.append(.init(path: path, title: file, kind: "asset", module: m?.path, contentType: "text/html; charset=utf-8"))
        }
        return out
    }

    /// Symbols (with their entry's page and anchor, a cited line and the first line of their doc comment),
    /// pages and section headings.
    func searchIndex(_ a: Analysis, modules: [Analysis.Module], pages: [LeaseStore.PageRecord]) -> JSONValue {
        var entries: [JSONValue] = []
        var headingsOf: [String: [Site.Heading]] = [:]
        for p in pages where p.path.hasSuffix(".md") {
            let text = (try? String(contentsOfFile: "\(dir)/\(p.path)", encoding: .utf8)) ?? ""
            let hs = Site.headings(text)
            headingsOf[p.path] = hs
            entries.append(.object([("kind", .string("page")), ("title", .string(p.title)), ("page", .string(p.path)), ("module", .str(p.module))]))
            for h in hs where h.level == 2 && h.text != "Contents" {
                entries.append(.object([("kind", .string("heading")), ("title", .string(h.text)), ("page", .string(p.path)), ("anchor", .string(h.slug))]))
            }
        }
        for m in modules {
            let (top, members) = BuiltinGenerator.topLevel(m, a)
            // The entries' `###` headings, in order over the module's page and its parts.
            let slots = ([m.pagePath] + partPages(m)).flatMap { page in (headingsOf[page] ?? []).filter { $0.level == 3 }.map { (page, $0.slug) } }
            let aligned = slots.count == top.count
            for (i, s) in top.enumerated() {
                let (page, anchor) = aligned ? slots[i] : (m.pagePath, "")
                entries.append(DocsOutput.symbolEntry(s, module: m.path, page: page, anchor: anchor))
                for x in members[s.qualifiedName] ?? [] { entries.append(DocsOutput.symbolEntry(x, module: m.path, page: page, anchor: anchor)) }
            }
        }
        return .object([("version", .num(1)), ("entries", .array(entries))])
    }

    static func symbolEntry(_ s: Symbol, module: String, page: String, anchor: String) -> JSONValue {
        let doc = s.doc.map { String(($0.split(separator: "\n").first ?? "").prefix(200)) }
        return .object([
            ("kind", .string("symbol")), ("name", .string(s.name)), ("qualified_name", .string(s.qualifiedName)),
            ("symbol_kind", .string(s.kind)), ("module", .string(module)), ("page", .string(page)), ("anchor", .string(anchor)),
            ("cite", .string("\(s.path):\(s.line)")), ("doc", .str(doc)), ("text", .str(s.doc.map { String($0.prefix(2000)) })),
        ])
    }

    /// `llms.txt`: the project in one line and every page's Markdown twin with one line each.
    func llmsText(_ ctx: BuiltinGenerator.Context, _ a: Analysis, _ pages: [LeaseStore.PageRecord]) -> String {
        var out = "# \(MD.cell(ctx.repositoryName))\n\n"
        if let readme = a.readme, let para = MD.firstParagraph(readme, maxChars: 300) { out += "> \(MD.cell(para))\n\n" }
        out += "Documentation generated by Scribe from commit \(ctx.commit); every page below is Markdown, with an HTML twin beside it.\n\n## Pages\n\n"
        for p in pages {
            let what = p.kind == "overview" ? "overview: modules, coverage, dependencies" : "module \(MD.cell(p.title)): purpose, entry points and facts, class hierarchy, API reference, dependencies, files"
            out += "- [\(MD.cell(p.title))](\(p.path)): \(what)\n"
        }
        return out
    }

    /// The site's own script: search over `search-index.js` in the sidebar, no request to any host.
    static let siteScript = """
        // Scribe documentation site: search in the sidebar over window.SCRIBE_SEARCH (search-index.js).
        (function () {
          "use strict";
          var box = document.querySelector(".search");
          var index = window.SCRIBE_SEARCH;
          if (!box || !index) return;
          var root = box.getAttribute("data-root") || "";
          var label = document.createElement("label");
          label.textContent = "Search";
          var input = document.createElement("input");
          input.type = "search";
          input.id = "site-search";
          label.htmlFor = "site-search";
          var list = document.createElement("ol");
          list.setAttribute("aria-live", "polite");
          box.append(label, input, list);
          function href(e) {
            return root + e.page.replace(/\\.md$/, ".html") + (e.anchor ? "#" + e.anchor : "");
          }
          input.addEventListener("input", function () {
            var q = input.value.trim().toLowerCase();
            list.textContent = "";
            if (q.length < 2) return;
            var hits = scribeSearch(index.entries, q).slice(0, 30);
            hits.forEach(function (e) {
              var li = document.createElement("li");
              var a = document.createElement("a");
              a.href = href(e);
              a.textContent = e.kind === "symbol" ? e.qualified_name : e.title;
              li.append(a, document.createTextNode(" " + (e.kind === "symbol" ? e.symbol_kind : e.kind)));
              list.append(li);
            });
          });
        })();
        function scribeSearch(entries, q) {
          var scored = [];
          entries.forEach(function (e) {
            var name = (e.kind === "symbol" ? e.qualified_name : e.title).toLowerCase();
            var s = 0;
            if (name === q || (e.name && e.name.toLowerCase() === q)) s = 100;
            else if (name.indexOf(q) === 0) s = 60;
            else if (name.indexOf(q) >= 0) s = 40;
            else if (e.text && e.text.toLowerCase().indexOf(q) >= 0) s = 10;
            if (s > 0) scored.push([s + (e.kind === "symbol" ? 1 : 0), e]);
          });
          scored.sort(function (a, b) { return b[0] - a[0]; });
          return scored.map(function (x) { return x[1]; });
        }

        """
}
