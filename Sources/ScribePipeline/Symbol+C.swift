extension Indexer {
    /// C and C++: a definition with external linkage in a source file is public API when a header declares
    /// it (C by name, C++ by qualified name: `Widget::draw` needs `draw` in `Widget`); otherwise it is an
    /// implementation detail, however visible to the linker.
    static func settleCLinkage(_ symbols: inout [Symbol]) {
        func key(_ s: Symbol) -> String { s.language == "C++" ? "C++\u{0}\(s.qualifiedName)" : "C\u{0}\(s.name)" }
        let declared = Set(symbols.filter { ($0.language == "C" || $0.language == "C++") && $0.exported == true }.map(key))
        for i in symbols.indices where symbols[i].needsDeclaration {
            symbols[i].exported = declared.contains(key(symbols[i]))
        }
    }
}
