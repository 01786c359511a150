import Foundation

extension Indexer {
    /// C and C++: a definition with external linkage in a source file is public API when a header declares
    /// it (C by name, C++ by qualified name: `Widget::draw` needs `draw` in `Widget`); otherwise it is an
    /// implementation detail, however visible to the linker.
    static func settleCLinkage(_ symbols: inout [Symbol]) {
        let declared = Set(symbols.filter { $0.isCFamily && $0.exported == true }.map(linkageKey))
        for i in symbols.indices where symbols[i].needsDeclaration {
            symbols[i].exported = declared.contains(linkageKey(symbols[i]))
        }
    }

    /// C by name, C++ by qualified name: what a header's declaration and a source file's definition share.
    private static func linkageKey(_ s: Symbol) -> String {
        s.language == "C++" ? "C++\u{0}\(s.qualifiedName)" : "C\u{0}\(s.name)"
    }

    static let headerExtensions: Set<String> = ["h", "hh", "hpp", "hxx", "h++"]

    /// C and C++: a public function is one entry, as Doxygen shows it: the header's declaration, which is what
    /// callers include, with the definition's place beside it (`definedAt`) and the definition's doc comment
    /// when the header has none. Runs after `settleCLinkage` (only definitions a header declares are public)
    /// and `groupOverloads` (a declaration written once per `#if` branch is already one entry).
    static func mergeCDefinitions(_ symbols: inout [Symbol]) {
        var declarations: [String: Int] = [:]
        for (i, s) in symbols.enumerated()
        where s.kind == "prototype" && s.isPublic && headerExtensions.contains((s.path as NSString).pathExtension.lowercased()) {
            let key = linkageKey(s)
            if let j = declarations[key], symbols[j].path <= s.path { continue }  // several headers: the first
            declarations[key] = i
        }
        var drop = Set<Int>()
        for (i, s) in symbols.enumerated() where s.needsDeclaration && s.exported == true {
            guard let j = declarations[linkageKey(s)], symbols[j].definedAt == nil else { continue }
            symbols[j].definedAt = (s.path, s.line)
            if symbols[j].doc == nil { symbols[j].doc = s.doc }
            drop.insert(i)
        }
        symbols.remove(at: drop)
    }

    /// C and C++: `typedef struct cJSON { … } cJSON;` declares one type, shown once: the struct (or union or
    /// enum) keeps its entry and its members, and takes the typedef's doc comment when it has none. A typedef
    /// of the same name elsewhere (`typedef struct cJSON cJSON;` before the body) is the same type too.
    static func mergeTaggedTypedefs(_ symbols: inout [Symbol]) {
        var tagged: [String: Int] = [:]
        for (i, s) in symbols.enumerated()
        where s.isCFamily && ["struct", "union", "enum"].contains(s.kind) && s.scope == nil {
            if tagged[s.name] == nil { tagged[s.name] = i }
        }
        var drop = Set<Int>()
        for (i, s) in symbols.enumerated() where s.kind == "typedef" && s.scope == nil && s.isCFamily {
            guard let j = tagged[s.name], symbols[j].isPublic == s.isPublic, let ref = s.typeref, namesTag(ref, s.name) else {
                continue
            }
            if symbols[j].doc == nil { symbols[j].doc = s.doc }
            drop.insert(i)
        }
        symbols.remove(at: drop)
    }

    /// Whether a typedef's type (`typename:struct cJSON { … }`, `typename:struct cJSON`) is the tagged type `name`.
    private static func namesTag(_ typeref: String, _ name: String) -> Bool {
        let type = typeref.hasPrefix("typename:") ? typeref.dropFirst(9) : Substring(typeref)
        return ["struct", "union", "enum"].contains { kw in
            let head = "\(kw) \(name)"
            return type == head || type.hasPrefix(head + " ") || type.hasPrefix(head + "{")
        }
    }

    /// C and C++ names a declaration can never have, which only a misread declaration gives: a keyword
    /// (`int WINAPI main(void)` read as a function named `void`), or the name of a parameterless macro (read
    /// as a variable: the preprocessor replaces every use of that name, so no variable can carry it).
    static func dropImpossibleCNames(_ symbols: inout [Symbol]) {
        let macros = Set(symbols.filter { $0.isCFamily && $0.kind == "macro" && $0.signature == nil }.map(\.name))
        symbols.removeAll { s in
            guard s.isCFamily, s.kind != "macro" else { return false }
            return cKeywords.contains(s.name) || (s.kind == "variable" && macros.contains(s.name))
        }
    }

    static let cKeywords: Set<String> = [
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
        "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
        "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool",
        "bool",
    ]
}
