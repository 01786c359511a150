import Foundation

/// Where each documented type's entry is (page and anchor), for links from signatures and doc comments in
/// any module. A module's anchors come from its own pages generated without cross-links, which have the
/// same headings and the same split as the pages written (the split is measured without those links).
public final class SymbolDirectory: @unchecked Sendable {
    // @unchecked: every mutable field is read and written under `lock`.
    private let lock = NSLock()
    private var anchors: [String: [String: (page: String, anchor: String)]] = [:]
    private var typesByName: [String: [Symbol]]? = nil
    private var moduleOfFile: [String: String] = [:]

    public init() {}

    /// The entry of the public type called `name`: the one in `module` if it has one, else the only one in
    /// the documented modules; nil when unknown or ambiguous.
    func entry(named name: String, near module: String, _ gen: BuiltinGenerator, _ a: Analysis) -> (page: String, anchor: String)? {
        lock.lock()
        defer { lock.unlock() }
        if typesByName == nil {
            var by: [String: [Symbol]] = [:]
            let documented = gen.documentedModules
            for m in a.modules where documented?.contains(m.path) ?? true {
                for s in a.publicSymbols(in: m.path) where s.isType && s.scope == nil { by[s.name, default: []].append(s) }
            }
            typesByName = by
            for f in a.files { moduleOfFile[f.path] = f.module }
        }
        guard let candidates = typesByName?[name], !candidates.isEmpty else { return nil }
        let moduleOf = { [moduleOfFile] (s: Symbol) in moduleOfFile[s.path] }
        let local = candidates.filter { moduleOf($0) == module }
        let chosen: Symbol
        if local.count == 1 { chosen = local[0] } else if local.isEmpty && candidates.count == 1 { chosen = candidates[0] } else { return nil }
        guard let owner = moduleOf(chosen), let m = a.modules.first(where: { $0.path == owner }) else { return nil }
        if anchors[owner] == nil {
            var plain = gen
            plain.directory = nil
            var map: [String: (String, String)] = [:]
            let keys = plain.apiEntryKeys(m, a)
            var i = 0
            for page in plain.modulePages(m, a) {
                for h in Site.headings(page.markdown) where h.level == 3 && i < keys.count {
                    map[keys[i]] = (page.path, h.slug)
                    i += 1
                }
            }
            anchors[owner] = map
        }
        return anchors[owner]?[Analysis.symbolKey(chosen)]
    }
}
