import Foundation

/// A module page's own onboarding facts and its types' hierarchy: base classes, protocols and interfaces
/// as each declaration names them, the conformances its extensions add, and the types that extend them.
extension BuiltinGenerator {
    /// The module's commands, entry points, routes and environment variables (`ProjectFacts.scoped`).
    func moduleFacts(_ m: Analysis.Module, _ a: Analysis) -> String {
        factSections(a.facts.scoped(to: m, a))
    }

    static let maxHierarchy = 200

    /// `## Class hierarchy`, and its size without the links to entries (the page split is measured
    /// without cross-links, so that anchors do not depend on them).
    func hierarchy(_ m: Analysis.Module, _ a: Analysis) -> (text: String, baseSize: Int) {
        let own = a.symbols(in: m.path)
        let publicTypes = a.publicSymbols(in: m.path).filter { $0.declaresType }
        // Extensions (and Rust's `impl Trait for Type`) add conformances whatever their own access: a
        // conformance is as visible as its type.
        let extensions = own.filter { Self.addsConformances($0) }
        let subtypes = subtypesByBase(of: m, a)
        // A base the repository declares only as non-public (an internal protocol a type conforms to) is not
        // API: a page never names it. Names the repository does not declare (`Sendable`, `Exception`) stay.
        let hidden = a.hiddenTypeNames
        func shown(_ bases: [String]) -> [String] { bases.filter { !hidden.contains(Self.lastName($0)) } }
        var lines: [HierarchyLine] = []
        for t in publicTypes {
            let subs = (subtypes[t.name] ?? []).filter { $0.path != t.path || $0.line != t.line }
            let added = extensions.filter { Self.lastName($0.name) == t.name && !shown($0.inherits).isEmpty }
            let bases = shown(t.inherits)
            guard !bases.isEmpty || !subs.isEmpty || !added.isEmpty else { continue }
            lines.append(typeLine(t, bases: bases, added: added.map { ($0, shown($0.inherits)) }, subtypes: subs, m, a))
        }
        // Extensions of types declared elsewhere (`extension String: Identifiable`, `impl From<X> for String`).
        // A type this module declares but not publicly is not API, and neither is what it implements.
        let declared = Set(publicTypes.map(\.name)).union(own.filter { $0.declaresType && !$0.isPublic }.map(\.name))
        for x in extensions where !declared.contains(Self.lastName(x.name)) && !hidden.contains(Self.lastName(x.name)) {
            let conformances = shown(x.inherits)
            guard !conformances.isEmpty else { continue }
            let (kind, verb) = Self.conformanceWords(x)
            let plain =
                "- \(MD.code(x.name)) (\(kind), \(cite(x.path, x.line))) — \(verb) "
                + conformances.map(MD.code).joined(separator: ", ")
            let linked =
                "- \(link(x.name, m, a)) (\(kind), \(cite(x.path, x.line))) — \(verb) "
                + conformances.map { link($0, m, a) }.joined(separator: ", ")
            lines.append((plain, linked))
        }
        return Self.hierarchySection(lines)
    }

    /// One line of the hierarchy, without and with links to entries.
    private typealias HierarchyLine = (plain: String, linked: String)

    /// The public types that name each base (by its last name), among this module's and its importers' types.
    private func subtypesByBase(of m: Analysis.Module, _ a: Analysis) -> [String: [Symbol]] {
        // A subtype names its base by name: it counts when it is in this module or its module imports this one,
        // and when it is on its module's public surface, like every name a page states (an internal conformer,
        // or a public type nested in an internal one, is not API).
        // Only documented modules: their files have pages and source views to cite.
        let importers = Set(a.usedBy(m.path).map(\.from)).union([m.path]).filter {
            documentedModules?.contains($0) ?? true
        }
        let surface = Set(importers.flatMap { a.publicSymbols(in: $0) }.map(Analysis.symbolKey))
        var subtypes: [String: [Symbol]] = [:]
        for s in a.symbols where s.declaresType && surface.contains(Analysis.symbolKey(s)) {
            for b in s.inherits { subtypes[Self.lastName(b), default: []].append(s) }
        }
        return subtypes
    }

    /// A type's line: its bases, the conformances its extensions add (each with where), and its subtypes.
    private func typeLine(
        _ t: Symbol, bases: [String], added: [(Symbol, [String])], subtypes subs: [Symbol], _ m: Analysis.Module,
        _ a: Analysis
    ) -> HierarchyLine {
        var plain = "- \(MD.code(t.qualifiedName)) (\(MD.cell(t.kind)), \(cite(t.path, t.line)))"
        var linked = plain
        func add(_ label: String, _ names: [String]) {
            plain += " — \(label) " + names.map(MD.code).joined(separator: ", ")
            linked += " — \(label) " + names.map { link($0, m, a) }.joined(separator: ", ")
        }
        if !bases.isEmpty { add(Self.heritageLabel(t), bases) }
        for (x, conformances) in added {
            let (kind, verb) = Self.conformanceWords(x)
            let where_ = " (\(kind) at \(cite(x.path, x.line)))"
            add(verb, conformances)
            plain += where_
            linked += where_
        }
        if !subs.isEmpty {
            let list = subs.prefix(20).map { "\(MD.code($0.qualifiedName)) (\(cite($0.path, $0.line)))" }.joined(
                separator: ", ")
            plain += " — extended by " + list
            linked += " — extended by " + list
        }
        return (plain, linked)
    }

    /// The section from its lines, at most `maxHierarchy` of them, and the size of its unlinked text.
    private static func hierarchySection(_ lines: [HierarchyLine]) -> (text: String, baseSize: Int) {
        guard !lines.isEmpty else { return ("", 0) }
        let head =
            "## Class hierarchy\n\nBase classes, protocols and interfaces as each declaration names them; names link to their entries where they are documented.\n\n"
        let shown = lines.prefix(Self.maxHierarchy)
        let more =
            lines.count > Self.maxHierarchy ? "\n_\(lines.count - Self.maxHierarchy) more types are not listed._\n" : ""
        let text = head + shown.map { $0.linked + "\n" }.joined() + more + "\n"
        let base = head + shown.map { $0.plain + "\n" }.joined() + more + "\n"
        return (text, base.utf8.count)
    }

    /// A type's name linked to its entry when the directory knows it, else as code.
    func link(_ name: String, _ m: Analysis.Module, _ a: Analysis) -> String {
        // A path into Rust's standard library (`std::error::Error`) is never the repository's own type.
        guard !["std::", "core::", "alloc::"].contains(where: { name.hasPrefix($0) }) else { return MD.code(name) }
        guard let dir = directory, let target = dir.entry(named: Self.lastName(name), near: m.path, self, a) else {
            return MD.code(name)
        }
        return "[\(MD.code(name))](\(Self.root)\(target.page)#\(target.anchor))"
    }

    /// `pkg.Base` → `Base`, `ns::Base` → `Base`, `Base<T>` → `Base`.
    static func lastName(_ name: String) -> String {
        let bare = name.split(separator: "<").first.map(String.init) ?? name
        let parts = bare.split(whereSeparator: { $0 == "." || $0 == ":" || $0 == "\\" })
        return parts.last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? bare
    }

    /// A declaration that adds conformances to a type declared elsewhere in its own words: Swift's extension,
    /// Rust's `impl Trait for Type`.
    static func addsConformances(_ s: Symbol) -> Bool {
        (s.kind == "extension" || s.kind == "impl") && !s.inherits.isEmpty
    }

    /// How a page names such a declaration, and what it does to the type.
    static func conformanceWords(_ s: Symbol) -> (kind: String, verb: String) {
        s.kind == "impl" ? ("impl", "implements") : ("extension", "conforms to")
    }

    /// What a type's heritage is called in its language.
    static func heritageLabel(_ t: Symbol) -> String {
        switch t.kind {
        case "protocol", "interface", "trait": return "refines"
        default: return t.language == "Swift" ? "inherits from or conforms to" : "extends or implements"
        }
    }
}
