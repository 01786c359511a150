import Foundation

/// Where each documented type's entry is (page and anchor), for links from signatures and doc comments in
/// any module. A module's anchors come from its layout (`BuiltinGenerator.ModuleLayout`: its pages' text
/// without cross-links, with the same headings and the same split as the pages written, the split being
/// measured without those links): the layout of a module whose pages are made first, else one made here
/// and kept until its pages are made from it.
public final class SymbolDirectory: @unchecked Sendable {
    // @unchecked: every mutable field is read and written under `lock`.
    private let lock = NSLock()
    private var anchors: [String: [String: (page: String, anchor: String)]] = [:]
    private var typesByName: [String: [Symbol]]? = nil
    private var moduleOfFile: [String: String] = [:]
    /// Layouts made for their anchors whose pages are not made yet, and the bytes they hold.
    private var layouts: [String: BuiltinGenerator.ModuleLayout] = [:]
    private var layoutBytes = 0
    /// Past this many bytes of kept layouts a module's pages make their layout again (a tree of many modules
    /// whose first pages link to all the others holds them in memory no longer than this).
    static let maxLayoutBytes = 32 << 20

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
            let layout = plain.layout(m, a)
            anchors[owner] = plain.anchors(layout)
            if layoutBytes + layout.size <= Self.maxLayoutBytes {
                layouts[owner] = layout
                layoutBytes += layout.size
            }
        }
        return anchors[owner]?[Analysis.symbolKey(chosen)]
    }

    /// The layout made here for a module's anchors, handed over once to the module's pages.
    func takeLayout(_ module: String) -> BuiltinGenerator.ModuleLayout? {
        lock.lock()
        defer { lock.unlock() }
        guard let l = layouts.removeValue(forKey: module) else { return nil }
        layoutBytes -= l.size
        return l
    }

    /// A module's anchors from the layout its pages are made from, unless they are known already.
    func record(_ module: String, _ anchorsOfLayout: () -> [String: (page: String, anchor: String)]) {
        lock.lock()
        defer { lock.unlock() }
        if anchors[module] == nil { anchors[module] = anchorsOfLayout() }
    }
}
