import Foundation
import ScribeCrypto

/// What the analysis found in a repository: the facts every generated sentence must come from.
public struct Analysis: Sendable {
    public struct File: Sendable {
        public let path: String
        public let language: String?
        public let lines: Int
        public let bytes: Int
        /// The API module the file belongs to; empty for files outside every module (tests, examples, docs, CI,
        /// and non-code files of folders without code).
        public var module: String
        /// Why a file is outside the API modules, or `.source`.
        public var role: Role = .source
    }

    /// What a file is for: API source, or one of the kinds of folders that are not API modules.
    public enum Role: String, Sendable {
        case source, test, example, benchmark, docs, ci, other
    }

    public struct Module: Sendable {
        public let path: String  // "." for the root module
        public var files: [File]
        public var readme: String?
        public var readmePath: String?
        /// What kind of module the language's rules found: `Go package`, `Python package`, `npm package`,
        /// `SwiftPM target`, `Rust crate`, `folder`…
        public var kind: String = "folder"
        /// The name the language gives it (a Go import path, a Python dotted name, an npm or crate name).
        public var qualifiedName: String? = nil
        /// Entry points a manifest declares (`package.json` `main`, `exports`, `bin`).
        public var entryPoints: [String] = []
        public var lines: Int { files.reduce(0) { $0 + $1.lines } }
        /// The module's name for titles, headings and progress: its path with control characters shown as
        /// escapes (`\n`), so a name never adds a line anywhere.
        public var name: String { path == "." ? "(root)" : Analysis.displayName(path) }
        public var pageName: String { Analysis.pageName(path) }
        /// The module's page, relative to the documentation's folder.
        public var pagePath: String { "modules/\(pageName).md" }
        /// The code language with the most lines (prose, data and build files not counted).
        public var codeLanguage: String? { languages.first { !ModuleRules.nonCode.contains($0.0) }?.0 }
        public var languages: [(String, Int)] {
            var by: [String: Int] = [:]
            for f in files { if let l = f.language { by[l, default: 0] += f.lines } }
            return by.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        }
    }

    /// Entries of the tree left out of the analysis, counted by reason.
    public struct Skipped: Sendable {
        public var symlinks = 0
        public var binary = 0
        public var oversized = 0
        public var vendored = 0
        /// Names that are not UTF-8: they cannot be shown or cited faithfully.
        public var invalidNames = 0
        /// Names equal to another name of the same folder once Unicode-normalised (`é` written two ways).
        public var equivalentNames = 0
        /// FIFOs, sockets and devices: never opened.
        public var special = 0
        /// Paths longer than `Analyzer.maxPathBytes` or deeper than `Analyzer.maxDepth`.
        public var tooDeep = 0
        public var unreadable = 0
        public var total: Int {
            symlinks + binary + oversized + vendored + invalidNames + equivalentNames + special + tooDeep + unreadable
        }

        /// Every reason with its key (as in `analysis.json`), count and wording for the pages.
        public var reasons: [(key: String, count: Int, words: String)] {
            [
                ("vendored", vendored, "vendored or hidden folders"), ("binary", binary, "binary files"),
                ("oversized", oversized, "oversized files"), ("symlinks", symlinks, "symbolic links"),
                ("invalid_names", invalidNames, "names that are not UTF-8"),
                ("equivalent_names", equivalentNames, "names equivalent to another after Unicode normalisation"),
                ("special", special, "special files (FIFOs, sockets, devices)"),
                ("too_deep", tooDeep, "paths too long or too deep"), ("unreadable", unreadable, "unreadable files"),
            ]
        }
    }

    /// A module's use of another, with the import statements that show it.
    public struct Dependency: Sendable {
        public let from: String
        public let to: String
        public var evidence: [Import]
    }

    public var files: [File]
    public var modules: [Module]
    public var symbols: [Symbol] = []
    let symbolIndex = SymbolIndex()
    public var imports: [Import] = []
    public var dependencies: [Dependency] = []
    /// Tests and examples that use a public symbol, keyed by `Analysis.symbolKey`.
    public var examples: [String: [Example]] = [:]
    /// What the module rules learnt from the manifests, for import resolution.
    public var layout = Layout()
    /// A module's purpose in its own words, when its source states one outside a README (package docs).
    public var moduleDocs: [String: (text: String, path: String)] = [:]
    /// SQL tables and views, dbt models, sources, seeds and snapshots: each is also a module (a job object).
    public var data = DataCatalog()
    /// Commands, entry points, HTTP routes and environment variables, each with its line (`ProjectFacts`).
    public var facts = ProjectFacts()
    /// Which tool produced the symbols (ctags, swift-syntax), for the pages' footers.
    public var tools: [String] = []
    public var readme: String?
    public var readmePath: String?
    public var skipped: Skipped

    public var languages: [(name: String, files: Int, lines: Int)] {
        var by: [String: (Int, Int)] = [:]
        for f in files {
            guard let l = f.language else { continue }
            let cur = by[l] ?? (0, 0)
            by[l] = (cur.0 + 1, cur.1 + f.lines)
        }
        return by.map { ($0.key, $0.value.0, $0.value.1) }.sorted { $0.lines != $1.lines ? $0.lines > $1.lines : $0.name < $1.name }
    }

    /// Longest page name: with `.html.tmp` or `.dot.svg` added it stays well under the 255 bytes a file
    /// name may have.
    static let maxPageNameBytes = 200

    /// The file name of a module's page, by one reversible rule: ASCII letters, digits, `_`, and `-` or `.`
    /// (except first) stay; `/` becomes `+`; every other byte of the UTF-8 name becomes `@` and two
    /// upper-case hex digits (`Sources/Scribe Core` → `Sources+Scribe@20Core`). So every page name is a
    /// plain file name (no `/`, no leading `.` or `-`) that URLs, nginx and the page router take as it
    /// is. The root module is `root`; a module whose name would read `root` or `overview` (the overview
    /// diagram's name) gets its first letter escaped. A name longer than `maxPageNameBytes` keeps its
    /// start and ends with `@-` and a hash of the whole name (`@-` never occurs in an encoded name).
    public static func pageName(_ module: String) -> String {
        if module == "." { return "root" }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        var cuts: [Int] = []  // where the name may be cut without splitting an escape
        for (i, b) in module.utf8.enumerated() {
            cuts.append(out.count)
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                out.append(b)
            case UInt8(ascii: "-") where i > 0, UInt8(ascii: ".") where i > 0:
                out.append(b)
            case UInt8(ascii: "/") where i > 0:
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "@"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        if out == Array("root".utf8) || out == Array("overview".utf8) {
            out = [UInt8(ascii: "@"), hex[Int(out[0] >> 4)], hex[Int(out[0] & 15)]] + out.dropFirst()
        }
        if out.count > maxPageNameBytes {
            let keep = cuts.last { $0 <= maxPageNameBytes - 20 } ?? 0
            out = Array(out[..<keep]) + Array("@-".utf8) + Array(Secrets.sha256Hex(module).prefix(16).utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A name or path for display: control characters (a newline in a file name) written as escapes, so
    /// the text stays on one line wherever it is shown.
    public static func displayName(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16)
                    out += "\\x" + (h.count < 2 ? "0" + h : h)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    public var totalLines: Int { files.reduce(0) { $0 + $1.lines } }

    /// The declarations of a module's source files: what build files (a Makefile's or CMakeLists.txt's
    /// variables), scripts and prose in its folder define is no part of its API.
    public func symbols(in module: String) -> [Symbol] {
        let paths = modules.first { $0.path == module }?.files.filter { $0.role == .source }.map(\.path) ?? []
        return symbolIndex.positions(of: paths, in: symbols).map { symbols[$0] }
    }

    /// A test or example file that uses a symbol, with the line of its first use.
    public struct Example: Sendable {
        public let path: String
        public let line: Int
        public let role: Role
    }

    /// Identifies one declaration: same-named declarations in different files stay apart.
    public static func symbolKey(_ s: Symbol) -> String { "\(s.path):\(s.line):\(s.qualifiedName)" }

    /// Documentation coverage by pkgsite's formula: 10 % for a package doc comment, 90 % for the share of
    /// exported symbols that have a doc comment.
    /// Languages that write a package's doc in the package itself (Go's package comment, a Python package's
    /// docstring, Rust's `//!`, `package-info.java`, a Swift target's DocC catalog): for them that is the package
    /// doc comment the coverage counts, and a README in the folder is not; for the others the README is.
    static let ownPackageDocLanguages: Set<String> = ["Go", "Python", "Rust", "Java", "Swift"]

    static func hasOwnPackageDoc(_ language: String?) -> Bool { language.map(ownPackageDocLanguages.contains) ?? false }

    public struct Coverage: Sendable, Equatable {
        public let packageDoc: Bool
        public let exported: Int
        public let documented: Int

        /// A module that exports nothing scores its package doc only.
        public var percent: Double {
            (packageDoc ? 10 : 0) + (exported > 0 ? 90 * Double(documented) / Double(exported) : 0)
        }

        /// `82.5 %`
        public var text: String { Coverage.format(percent) }

        static func format(_ p: Double) -> String { String(format: "%.1f %%", (p * 10).rounded() / 10) }
    }

    /// The public declarations a module's page lists: public reference symbols, less the members of types
    /// that are not public themselves. An extension declares no type: its members are as public as they say
    /// (Swift's `extension String { public func f() }` is API).
    public func publicSymbols(in module: String) -> [Symbol] {
        let all = symbols(in: module)
        let shown = all.filter { $0.isReference && $0.isPublic }
        let publicTypes = Set(shown.filter(\.isType).map(\.qualifiedName))
        let hidden = Set(all.filter { $0.declaresType && !$0.isPublic }.map(\.qualifiedName))
            .subtracting(publicTypes)
        return shown.filter { s in s.scope.map { !hidden.contains($0) } ?? true }
    }

    /// Type names the repository declares only as non-public (an internal protocol a type conforms to): no
    /// page names one, not even as a base or as the type an extension extends. Names it does not declare
    /// (`Sendable`, `Exception`, a `String` it only extends) are not here.
    public var hiddenTypeNames: Set<String> {
        let types = symbols.filter { $0.declaresType }
        let publicNames = Set(types.filter(\.isPublic).map(\.name))
        return Set(types.filter { !$0.isPublic && !publicNames.contains($0.name) }.map(\.name))
    }

    /// Overloads (same name in the same file) count once, documented when any of them is.
    public func coverage(of m: Module) -> Coverage {
        if let c = data.coverage(m.path) { return c }  // described objects and columns
        var documented: [String: Bool] = [:]
        for s in publicSymbols(in: m.path) {
            let key = "\(s.path)\u{0}\(s.qualifiedName)"
            documented[key] = (documented[key] ?? false) || s.doc != nil
        }
        let packageDoc = moduleDocs[m.path] != nil || (m.readme != nil && !Analysis.hasOwnPackageDoc(m.codeLanguage))
        return Coverage(packageDoc: packageDoc, exported: documented.count, documented: documented.values.filter { $0 }.count)
    }

    /// Over several modules, weighted by their exported symbols (the plain mean when none exports anything).
    public func overallCoverage(_ modules: [Module]) -> (percent: Double, exported: Int, documented: Int) {
        let each = modules.map { coverage(of: $0) }
        let exported = each.reduce(0) { $0 + $1.exported }
        let documented = each.reduce(0) { $0 + $1.documented }
        guard !each.isEmpty else { return (0, 0, 0) }
        if exported == 0 { return (each.reduce(0) { $0 + $1.percent } / Double(each.count), 0, 0) }
        return (each.reduce(0) { $0 + $1.percent * Double($1.exported) } / Double(exported), exported, documented)
    }

    public func uses(_ module: String) -> [Dependency] { dependencies.filter { $0.from == module } }
    public func usedBy(_ module: String) -> [Dependency] { dependencies.filter { $0.to == module } }
}
