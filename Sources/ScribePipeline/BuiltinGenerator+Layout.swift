import Foundation

/// A module's pages in two steps: the layout (every text of the pages but their cross-links, and where the API
/// reference splits, measured without those links) and the pages made from it. The symbol directory reads
/// the entries' anchors from a layout's heading lines, and the pages are then made from that same layout,
/// so a module's text is made once whether other pages link to it or not.
extension BuiltinGenerator {
    struct ModuleLayout {
        let module: Analysis.Module
        /// Title, purpose, coverage and the module's own facts.
        let intro: String
        /// `## Class hierarchy`, and its size without the links to entries.
        let tree: (text: String, baseSize: Int)
        /// Whether `tree` links to entries (it was made by a generator with a directory).
        let treeLinked: Bool
        /// `## API reference` and the count of declarations.
        let head: String
        let entries: [Entry]
        /// Dependencies, files and the way back to the overview.
        let rest: String
        /// The entries of each part when the reference is split (`modules/<page>/part-N.md`); empty when not.
        let parts: [Range<Int>]

        /// The bytes the layout holds, for the directory's cache.
        var size: Int { entries.reduce(intro.utf8.count + tree.text.utf8.count + rest.utf8.count) { $0 + $1.baseSize } }
    }

    struct Entry {
        let symbol: Symbol
        var path: String { symbol.path }
        /// Heading, kind and citation, declaration and doc comment: what comes before the "Refers to" line.
        let lead: String
        /// Uses in tests and examples, and the members: what comes after it.
        let tail: String
        /// The entry's size without its cross-links.
        var baseSize: Int { lead.utf8.count + tail.utf8.count }
    }

    /// Everything of a module's pages but the entries' cross-links, and the split of its API reference.
    func layout(_ m: Analysis.Module, _ a: Analysis) -> ModuleLayout {
        let intro = moduleIntro(m, a)
        let tree = Self.hasHierarchy(m, a) ? hierarchy(m, a) : (text: "", baseSize: 0)
        let entries = apiEntries(m, a)
        let rest = moduleRest(m, a)
        let declared = a.publicSymbols(in: m.path).count
        let head =
            entries.isEmpty
            ? "## API reference\n\nNo public declarations were found in this module's source.\n\n"
            : "## API reference\n\n\(declared) public declaration\(declared == 1 ? "" : "s"), \(entries.count) with an entry of \(entries.count == 1 ? "its" : "their") own.\n\n"
        // Sizes without the cross-links, so that the split (and so every anchor) does not depend on them.
        let wholeBase =
            intro.utf8.count + tree.baseSize + head.utf8.count + entries.reduce(0) { $0 + $1.baseSize }
            + rest.utf8.count
        let parts =
            wholeBase > maxPageBytes && entries.count > 1
            ? Self.split(entries, budget: max(maxPageBytes - 1024, 1024)) : []
        return ModuleLayout(
            module: m, intro: intro, tree: tree, treeLinked: directory != nil, head: head, entries: entries, rest: rest,
            parts: parts)
    }

    /// Whether the module has what `## Class hierarchy` lists: a public type, or an extension (or Rust `impl`)
    /// that adds a conformance. The hierarchy reads every file and symbol of the repository; a module of
    /// functions alone (most of a tree of many small packages) is answered from its own symbols.
    static func hasHierarchy(_ m: Analysis.Module, _ a: Analysis) -> Bool {
        a.symbols(in: m.path).contains(where: addsConformances)
            || a.publicSymbols(in: m.path).contains { $0.declaresType }
    }

    /// Greedy packing in file order; a new part starts at a file boundary when the current one is half full.
    static func split(_ entries: [Entry], budget: Int) -> [Range<Int>] {
        var starts = [0]
        var size = 0
        for (i, e) in entries.enumerated() {
            let start = starts[starts.count - 1]
            let newFile = i > start && entries[i - 1].path != e.path
            if i > start
                && (size + e.baseSize > budget || (newFile && size > budget / 2 && size + e.baseSize > budget * 3 / 4))
            {
                starts.append(i)
                size = 0
            }
            size += e.baseSize
        }
        return starts.indices.map { k in starts[k]..<(k + 1 < starts.count ? starts[k + 1] : entries.count) }
    }

    /// The pages of a layout, with the cross-links when the generator has a directory.
    func pages(_ l: ModuleLayout, _ a: Analysis) -> [Page] {
        let m = l.module
        // The hierarchy's lines do not depend on the links: one without lines has none to link.
        let tree = directory != nil && !l.treeLinked && !l.tree.text.isEmpty ? hierarchy(m, a).text : l.tree.text
        let texts = l.entries.map { e in e.lead + (directory.map { referencesLine(e.symbol, m, a, $0) } ?? "") + e.tail
        }
        return pieces(l, tree: tree, entries: texts).map { p in
            Page(
                path: p.path, title: p.title, kind: "module", module: m.path,
                markdown: Self.finish(p.pieces.joined(), p.path))
        }
    }

    /// Each page of a layout as the pieces of its text, in order, before `finish`.
    func pieces(_ l: ModuleLayout, tree: String, entries: [String]) -> [(path: String, title: String, pieces: [String])]
    {
        let m = l.module
        guard !l.parts.isEmpty else {
            return [(m.pagePath, m.name, [l.intro, tree, l.head] + entries + [l.rest])]
        }
        var out: [(path: String, title: String, pieces: [String])] = []
        var index = l.head + "The reference is split into \(l.parts.count) parts:\n\n"
        for (i, range) in l.parts.enumerated() {
            var files: [String] = []
            for e in l.entries[range] where files.last != e.path { files.append(e.path) }
            let span = files.count == 1 ? MD.code(files[0]) : "\(MD.code(files.first!)) to \(MD.code(files.last!))"
            let count = range.count
            index +=
                "- [Part \(i + 1)](\(m.pageName)/part-\(i + 1).md): \(count) declaration\(count == 1 ? "" : "s") in \(span)\n"
            let title = "# Module \(MD.code(m.name)): API reference, part \(i + 1) of \(l.parts.count)\n\n"
            let back = "[← Module \(MD.code(m.name))](../\(m.pageName).md) · [← Overview](../../index.md)\n"
            out.append((Self.partPath(m, i + 1), "\(m.name) (part \(i + 1))", [title] + entries[range] + [back]))
        }
        return [(m.pagePath, m.name, [l.intro, tree, index + "\n", l.rest])] + out
    }

    /// Where each entry of a layout lands (page and anchor), by `Analysis.symbolKey`. The anchors are read from
    /// the pages' heading lines alone: `Site.headings` reads no other line, and the links a page adds are on
    /// none of them.
    func anchors(_ l: ModuleLayout) -> [String: (page: String, anchor: String)] {
        let pages = pieces(l, tree: l.tree.text, entries: l.entries.map { $0.lead + $0.tail })
        var out: [String: (page: String, anchor: String)] = [:]
        var i = 0
        for page in pages {
            // The title and its blank line, as `finish` finds them, then only the lines headings are read from.
            let lines = page.pieces.map(Self.headingLines).joined()
            let end = lines.utf8.firstIndex(of: 0x0A) ?? lines.endIndex
            let skeleton = lines[..<end] + "\n\n" + (end < lines.endIndex ? lines[lines.index(after: end)...] : "")
            for h in Site.headings(Self.finish(String(skeleton), page.path)) where h.level == 3 && i < l.entries.count {
                out[Analysis.symbolKey(l.entries[i].symbol)] = (page.path, h.slug)
                i += 1
            }
        }
        return out
    }

    /// The lines of a text that can be a heading or a code fence (those that open with `#`, a backquote or a
    /// tilde), each ending with a line break.
    static func headingLines(_ text: String) -> String {
        var out = ""
        for line in text.utf8.split(separator: 0x0A) {
            guard let b = line.first, b == 0x23 || b == 0x60 || b == 0x7E else { continue }
            out += String(Substring(line)) + "\n"
        }
        return out
    }
}
