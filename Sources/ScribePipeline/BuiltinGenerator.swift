import Foundation

/// The offline generator: documentation from what the code states, and nothing else. A module with
/// nothing to say is marked as such instead of being described in invented words.
public struct BuiltinGenerator {
    public static let version = "builtin-1"
    public static let notDocumented = "⚠️ Not documented in the source"

    public struct Context: Sendable {
        public let repositoryName: String
        public let repositoryURL: String
        public let commit: String
        public let generatedAt: String
    }

    public struct Page: Sendable {
        public let path: String
        public let title: String
        public let kind: String
        public let module: String?
        public let markdown: String
    }

    public init() {}

    public func modulePage(_ m: Analysis.Module, _ a: Analysis, _ ctx: Context) -> Page {
        var md = "# Module `\(m.name)`\n\n"
        md += "_\(MD.cell(ctx.repositoryName)) at commit `\(ctx.commit.prefix(12))` · \(m.files.count) files · \(m.lines) lines_\n\n"
        md += "## Purpose\n\n"
        if let readme = m.readme, let para = MD.firstParagraph(readme), let path = m.readmePath {
            md += MD.quote(para) + "\n\n"
            md += "— from `\(path)`\n\n"
        } else {
            md += "\(Self.notDocumented)\n\n"
        }
        let langs = m.languages
        if !langs.isEmpty {
            md += "## Languages\n\n| Language | Lines |\n| --- | ---: |\n"
            for (l, n) in langs { md += "| \(MD.cell(l)) | \(n) |\n" }
            md += "\n"
        }
        md += "## Files\n\n| File | Language | Lines |\n| --- | --- | ---: |\n"
        for f in m.files {
            md += "| \(MD.code(f.path)) | \(MD.cell(f.language ?? "—")) | \(f.lines) |\n"
        }
        md += "\n[← Overview](../index.md)\n"
        return Page(path: "modules/\(m.pageName).md", title: m.name, kind: "module", module: m.path, markdown: md)
    }

    public func overview(_ a: Analysis, _ ctx: Context, documented: [Analysis.Module]) -> Page {
        var md = "# \(MD.cell(ctx.repositoryName))\n\n"
        md += "_Commit `\(ctx.commit.prefix(12))` · generated \(ctx.generatedAt) by Scribe (\(Self.version))_\n\n"
        md += "## About\n\n"
        if let readme = a.readme, let para = MD.firstParagraph(readme), let path = a.readmePath {
            md += MD.quote(para) + "\n\n— from `\(path)`\n\n"
        } else {
            md += "\(Self.notDocumented)\n\n"
        }
        md += "## Size\n\n\(a.files.count) files, \(a.totalLines) lines"
        if a.skipped.total > 0 {
            md += " (skipped: \(a.skipped.vendored) vendored or hidden folders, \(a.skipped.binary) binary, "
            md += "\(a.skipped.oversized) oversized files, \(a.skipped.symlinks) symbolic links)"
        }
        md += ".\n\n"
        let langs = a.languages
        if !langs.isEmpty {
            md += "## Languages\n\n| Language | Files | Lines |\n| --- | ---: | ---: |\n"
            for l in langs { md += "| \(MD.cell(l.name)) | \(l.files) | \(l.lines) |\n" }
            md += "\n"
        }
        md += "## Modules\n\n| Module | Files | Lines | Purpose |\n| --- | ---: | ---: | --- |\n"
        for m in documented {
            let purpose = m.readme.flatMap { MD.firstParagraph($0, maxChars: 160) }.map(MD.cell) ?? Self.notDocumented
            md += "| [\(MD.cell(m.name))](modules/\(m.pageName).md) | \(m.files.count) | \(m.lines) | \(purpose) |\n"
        }
        md += "\n"
        return Page(path: "index.md", title: ctx.repositoryName, kind: "overview", module: nil, markdown: md)
    }
}

