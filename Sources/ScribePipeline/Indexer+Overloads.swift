extension Indexer {
    /// Languages whose functions and methods overload by signature, and C, whose macros and prototypes are
    /// often written once per preprocessor branch: the parsers report each declaration, and the reference
    /// shows one entry per name (Python and TypeScript group theirs in the parser already).
    static let overloadingLanguages: Set<String> = ["Swift", "Java", "Kotlin", "C#", "C++", "C"]
    static let overloadKinds: Set<String> = ["function", "method", "prototype", "macro", "define"]

    /// Overloads form one entry: declarations of one name, kind and visibility in one scope of one file. The
    /// entry stands where its first documented declaration does (so its doc comment is the one next to it),
    /// lists every distinct declaration in source order, and counts the declarations. Same-named declarations
    /// in different files stay apart.
    static func groupOverloads(_ symbols: inout [Symbol]) {
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for (i, s) in symbols.enumerated() {
            guard let l = s.language, overloadingLanguages.contains(l), overloadKinds.contains(s.kind), s.role == nil
            else { continue }
            let key = [l, s.path, s.scope ?? "", s.name, s.kind, s.isPublic ? "1" : "0"].joined(separator: "\u{0}")
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(i)
        }
        var drop = Set<Int>()
        for key in order {
            let members = groups[key]!.sorted { symbols[$0].line < symbols[$1].line }
            guard members.count > 1 else { continue }
            let keep = members.first { symbols[$0].doc != nil } ?? members[0]
            var signatures: [String] = []
            for i in members {
                let header = BuiltinGenerator.header(symbols[i])
                if !signatures.contains(header) { signatures.append(header) }
            }
            symbols[keep].overloads = members.reduce(0) { $0 + (symbols[$1].overloads ?? 1) }
            symbols[keep].signatures = signatures.count > 1 ? signatures : []
            for i in members where i != keep { drop.insert(i) }
        }
        symbols.remove(at: drop)
    }
}
