extension Analysis {
    /// The modules `options.modules` asks for: a module by its path, or a folder of data objects (every data
    /// object below it). The names that match nothing are returned too.
    public func select(_ wanted: [String]) -> (modules: [Module], unknown: [String]) {
        func picks(_ w: String, _ m: Module) -> Bool {
            m.path == w || (data.object(m.path) != nil && (w == "." || m.path.hasPrefix(w.hasSuffix("/") ? w : w + "/")))
        }
        let chosen = modules.filter { m in wanted.contains { picks($0, m) } }
        return (chosen, wanted.filter { w in !chosen.contains { picks(w, $0) } })
    }
}
