import Foundation

/// The positions of each file's declarations in `Analysis.symbols`, built on first use: the pages ask for a
/// module's symbols many times (its page, its coverage, the overview, the search index), and a scan of every
/// symbol per question made the pages stage quadratic in the size of the repository.
final class SymbolIndex: @unchecked Sendable {
    // @unchecked: `built` and `byPath` are read and written under `lock` only.
    private let lock = NSLock()
    private var built: (count: Int, first: String, last: String)? = nil
    private var byPath: [String: [Int]] = [:]

    /// The indices of `path`'s symbols. Rebuilt when the list is not the one indexed (a copy of the analysis
    /// whose symbols were replaced shares this object).
    func positions(of paths: [String], in symbols: [Symbol]) -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        let key = (symbols.count, symbols.first?.path ?? "", symbols.last?.path ?? "")
        if built.map({ $0 != key }) ?? true {
            byPath = [:]
            for (i, s) in symbols.enumerated() { byPath[s.path, default: []].append(i) }
            built = key
        }
        var out: [Int] = []
        for p in paths { out += byPath[p] ?? [] }
        return out.sorted()
    }
}
