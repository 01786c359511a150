// scribe-parse: declarations, doc comments, visibility and imports through tree-sitter grammars.
//
//   scribe-parse --root DIR [--timeout SECONDS] [--print-tree] [--cpp-headers] [--files-from LIST] < NUL-separated paths
//   scribe-parse --schema --root DIR … : SQL files read as schemas (tables, views, columns, keys, comments)
//
// Prints JSON lines: `"_type": "tag"` (ctags' fields plus `exported`, `overloads`, `role`),
// `"_type": "import"` (target as written, line, kind), `"_type": "file"` (the file's own doc) and
// `"_type": "note"`. Paths are read from standard input (or the file LIST) separated by NUL bytes, so any byte but NUL
// may be in a name; a path that is absolute, climbs out with `..`, passes through a symbolic link,
// or is not a regular file of at most 1 MiB is skipped with a warning. Nothing is executed.
// Exit status: 0, 64 for a usage error, 66 when LIST cannot be read.

import CTreeSitter
import ScribeCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

func complain(_ message: String) {
    FileHandle.standardError.write(Data("scribe-parse: \(message)\n".utf8))
}

let usage = "usage: scribe-parse [--schema] --root DIR [--timeout SECONDS] [--cpp-headers] [--files-from LIST] < NUL-separated paths\n"
var rootArg: String?
var timeout = 10.0
var printTree = false
var listPath: String?
var schemaMode = false
var cppHeaders = false
do {
    var args = CommandLine.arguments.dropFirst()
    while let a = args.popFirst() {
        switch a {
        case "--root": rootArg = args.popFirst()
        case "--timeout":
            guard let t = args.popFirst().flatMap(Double.init), t > 0 else {
                complain("--timeout needs a positive number")
                exit(64)
            }
            timeout = t
        case "--files-from": listPath = args.popFirst()
        case "--print-tree": printTree = true  // the syntax trees, for writing rules
        case "--schema": schemaMode = true
        case "--cpp-headers": cppHeaders = true  // `.h` files are C++: the project has C++ sources
        case "-h", "--help":
            print(usage, terminator: "")
            exit(0)
        default:
            complain("unknown argument\n\(usage)")
            exit(64)
        }
    }
}
guard let rootArg else {
    complain("--root is required\n\(usage)")
    exit(64)
}
let rootFD = open(rootArg, O_RDONLY | O_DIRECTORY)
guard rootFD >= 0 else {
    complain("cannot open the root folder")
    exit(64)
}

/// The grammar and the rules for a file, by its extension.
func language(of path: String, cppHeaders: Bool) -> (name: String, grammar: OpaquePointer, rules: (SyntaxFile) -> FileResult)? {
    let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
    switch ext {
    case "py", "pyi": return ("Python", tree_sitter_python(), PythonRules.extract)
    case "js", "mjs", "cjs", "jsx": return ("JavaScript", tree_sitter_javascript(), JavaScriptRules.extract)
    case "ts", "mts", "cts": return ("TypeScript", tree_sitter_typescript(), JavaScriptRules.extract)
    case "tsx": return ("TypeScript", tree_sitter_tsx(), JavaScriptRules.extract)
    case "php": return ("PHP", tree_sitter_php(), PHPRules.extract)
    case "go": return ("Go", tree_sitter_go(), GoRules.extract)
    case "h" where cppHeaders: return ("C++", tree_sitter_cpp(), CppRules.extract)
    case "c", "h": return ("C", tree_sitter_c(), CRules.extract)
    case "rs": return ("Rust", tree_sitter_rust(), RustRules.extract)
    case "java": return ("Java", tree_sitter_java(), JavaRules.extract)
    case "rb": return ("Ruby", tree_sitter_ruby(), RubyRules.extract)
    case "cs": return ("C#", tree_sitter_c_sharp(), CSharpRules.extract)
    case "kt", "kts": return ("Kotlin", tree_sitter_kotlin(), KotlinRules.extract)
    case "cc", "cpp", "cxx", "c++", "hh", "hpp", "hxx", "h++": return ("C++", tree_sitter_cpp(), CppRules.extract)
    default: return nil
    }
}

/// Opens `path` below the root one component at a time, refusing symbolic links at every step
/// (O_NOFOLLOW) and anything that is not a regular file of at most 1 MiB.
func load(_ path: String) -> [UInt8]? {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    guard !path.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !parts.contains(".") else {
        complain("skipped a path that is not a plain relative path")
        return nil
    }
    var dir = dup(rootFD)
    for (i, part) in parts.enumerated() {
        let last = i == parts.count - 1
        let fd = openat(dir, part, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (last ? 0 : O_DIRECTORY))
        close(dir)
        guard fd >= 0 else { return nil }
        dir = fd
    }
    defer { close(dir) }
    var info = stat()
    guard fstat(dir, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= 1 << 20 else { return nil }
    return try? Posix.readAll(dir, size: Int(info.st_size)).get()
}

func writeOut(_ bytes: [UInt8]) {
    // A failed write means stdout was closed: nobody is listening.
    if bytes.withUnsafeBytes({ Posix.writeAll(STDOUT_FILENO, $0) }) != nil { exit(1) }
}

let input: Data
if let listPath {
    guard let d = FileManager.default.contents(atPath: listPath) else {
        complain("cannot read the list of files")
        exit(66)
    }
    input = d
} else {
    input = FileHandle.standardInput.readDataToEndOfFile()
}
for raw in input.split(separator: 0) {
    let path = String(decoding: raw, as: UTF8.self)
    // A name that is not valid UTF-8 cannot be reported faithfully in JSON: skip it.
    guard Array(path.utf8) == Array(raw) else {
        complain("skipped a path that is not valid UTF-8")
        continue
    }
    // Schema mode reads SQL files as schemas; otherwise each language by its grammar and rules.
    let grammar: OpaquePointer
    let render: (SyntaxFile) -> [UInt8]
    if schemaMode {
        guard path.lowercased().hasSuffix(".sql") else { continue }
        grammar = tree_sitter_sql()
        render = SQLSchema.lines
    } else {
        guard let lang = language(of: path, cppHeaders: cppHeaders) else { continue }
        grammar = lang.grammar
        render = { Output.lines(path: path, language: lang.name, lang.rules($0)) }
    }
    guard let bytes = load(path) else { continue }
    guard let file = SyntaxFile(path: path, bytes: bytes, language: grammar, deadline: UInt64(timeout * 1_000_000)) else {
        complain("\(path): gave up parsing")
        continue
    }
    if printTree {
        let text = ts_node_string(file.root.raw)
        writeOut(Array("\(path): \(text.map { String(cString: $0) } ?? "")\n".utf8))
        free(text)
        continue
    }
    writeOut(render(file))
}
exit(0)
