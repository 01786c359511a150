import Foundation

/// C and C++: a module per folder, the public headers being those in the include folders the build
/// declares (`include_directories`, `target_include_directories`, `-I`) or in `include/`. Quoted includes
/// resolve against the including file's folder, then those folders and the root; angle includes only
/// through the include folders, so `<poll.h>` never lands on some `lib/poll.h`.
enum CModules {
    static let extensions = [".h", ".hh", ".hpp", ".hxx", ".inl", ".c", ".cc", ".cpp", ".cxx", ".m", ".mm"]

    /// A `.h` header is C++ in a C++ project (a `.cpp`, `.cc`, `.cxx` or `.hpp` file anywhere in the tree), as
    /// compilers of such a project read it; in any other tree it stays C.
    static func settleHeaders(_ files: inout [Analysis.File]) {
        let cpp = [".cpp", ".cc", ".cxx", ".hpp"]
        guard files.contains(where: { f in cpp.contains { f.path.lowercased().hasSuffix($0) } }) else { return }
        for i in files.indices where files[i].language == "C" && files[i].path.lowercased().hasSuffix(".h") {
            let f = files[i]
            files[i] = Analysis.File(path: f.path, language: "C++", lines: f.lines, bytes: f.bytes, module: f.module)
        }
    }

    static func scan(_ paths: Set<String>, read: (String) -> String?, into layout: inout Layout) {
        var dirs: [String] = []
        func add(_ d: String?) {
            guard let d, !dirs.contains(d), paths.contains(where: { RepoPath.isInside($0, d) && $0 != d }) else { return }
            dirs.append(d)
        }
        for p in paths.sorted() {
            let name = RepoPath.name(p)
            let base = RepoPath.dir(p)
            if name == "CMakeLists.txt" || name.hasSuffix(".cmake"), let text = read(p) {
                for call in ["include_directories(", "target_include_directories("] {
                    var rest = Substring(text)
                    while let r = rest.range(of: call) {
                        let args = rest[r.upperBound...].prefix { $0 != ")" }
                        var words = args.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
                        if call.hasPrefix("target"), !words.isEmpty { words.removeFirst() }  // the target's name
                        for w in words where !["PUBLIC", "PRIVATE", "INTERFACE", "SYSTEM", "BEFORE", "AFTER"].contains(w) {
                            var d = w.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                            for v in ["${CMAKE_CURRENT_SOURCE_DIR}", "${PROJECT_SOURCE_DIR}", "${CMAKE_SOURCE_DIR}"] where d.hasPrefix(v) {
                                d = String(d.dropFirst(v.count).drop { $0 == "/" })
                                if v != "${CMAKE_CURRENT_SOURCE_DIR}" { d = "/" + d }
                            }
                            guard !d.contains("$"), !d.contains("<") else { continue }
                            add(d.hasPrefix("/") ? RepoPath.normalise(d) : RepoPath.normalise(RepoPath.join(base, d)))
                        }
                        rest = rest[r.upperBound...]
                    }
                }
            } else if name == "Makefile" || name == "GNUmakefile" || name.hasSuffix(".mk") || name == "meson.build", let text = read(p) {
                for w in text.split(whereSeparator: { " \t\n'\"".contains($0) }) where w.hasPrefix("-I") && w.count > 2 {
                    let d = String(w.dropFirst(2))
                    if !d.contains("$") { add(RepoPath.normalise(RepoPath.join(base, d))) }
                }
            }
        }
        add("include")
        layout.includeDirs = dirs
    }

    static func kind(of dir: String, language: String, _ layout: Layout) -> String {
        layout.includeDirs.contains { RepoPath.isInside(dir, $0) } ? "public headers" : "\(language) folder"
    }

    static func resolve(_ target: String, relative quoted: Bool, from path: String, _ r: DependencyResolver) -> String? {
        var bases = quoted ? [RepoPath.dir(path)] : []
        bases += r.layout.includeDirs
        if quoted { bases.append("") }
        for b in bases {
            guard let p = RepoPath.normalise(RepoPath.join(b, target)), r.file(p) != nil,
                extensions.contains(where: { p.hasSuffix($0) })
            else { continue }
            return p
        }
        return nil
    }
}
