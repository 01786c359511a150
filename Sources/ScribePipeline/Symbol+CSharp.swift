extension Indexer {
    /// C#: the parts of a `partial` type, in one file or several, are one type: one entry, the part with
    /// a doc comment (else the first by path and line); members keep their own places under it.
    static func mergePartialTypes(_ symbols: inout [Symbol]) {
        var keep: [String: Int] = [:]
        var drop: Set<Int> = []
        for (i, s) in symbols.enumerated() where s.partial {
            let key = "\(s.language ?? "")\u{0}\(s.qualifiedName)"
            guard let j = keep[key] else {
                keep[key] = i
                continue
            }
            let other = symbols[j]
            let better = (s.doc != nil && other.doc == nil)
                || ((s.doc == nil) == (other.doc == nil) && (s.path, s.line) < (other.path, other.line))
            if better {
                drop.insert(j)
                keep[key] = i
            } else {
                drop.insert(i)
            }
        }
        symbols.remove(at: drop)
    }
}
