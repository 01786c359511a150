extension Indexer {
    /// C: a definition with external linkage in a .c file is public API when a header declares the same
    /// name; otherwise it is an implementation detail, however visible to the linker.
    static func settleCLinkage(_ symbols: inout [Symbol]) {
        let declared = Set(symbols.filter { $0.language == "C" && $0.path.hasSuffix(".h") && $0.exported == true }.map(\.name))
        for i in symbols.indices where symbols[i].needsDeclaration {
            symbols[i].exported = declared.contains(symbols[i].name)
        }
    }
}
