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
        let publicTypes = a.publicSymbols(in: m.path).filter { $0.isType && $0.kind != "extension" }
        // Extensions add conformances whatever their own access: a conformance is as visible as its type.
        let extensions = own.filter { $0.kind == "extension" && !$0.inherits.isEmpty }
        // A subtype names its base by name: it counts when it is in this module or its module imports this one,
        // and when it is on its module's public surface, like every name a page states (an internal conformer,
        // or a public type nested in an internal one, is not API).
        // Only documented modules: their files have pages and source views to cite.
        let importers = Set(a.usedBy(m.path).map(\.from)).union([m.path]).filter {
            documentedModules?.contains($0) ?? true
        }
        let surface = Set(importers.flatMap { a.publicSymbols(in: $0) }.map(Analysis.symbolKey))
        var subtypes: [String: [Symbol]] = [:]
        for s in a.symbols where s.isType && s.kind != "extension" && surface.contains(Analysis.symbolKey(s)) {
            for b in s.inherits { subtypes[Self.lastName(b), default: []].append(s) }
        }
        // A base the repository declares only as non-public (an internal protocol a type conforms to) is not
        // API: a page never names it. Names the repository does not declare (`Sendable`, `Exception`) stay.
        let hidden = a.hiddenTypeNames
        func shown(_ bases: [String]) -> [String] { bases.filter { !hidden.contains(Self.lastName($0)) } }
        var lines: [(plain: String, linked: String)] = []
        for t in publicTypes {
            let subs = (subtypes[t.name] ?? []).filter { $0.path != t.path || $0.line != t.line }
            let added = extensions.filter { Self.lastName($0.name) == t.name && !shown($0.inherits).isEmpty }
            let bases = shown(t.inherits)
            guard !bases.isEmpty || !subs.isEmpty || !added.isEmpty else { continue }
            var plain = "- \(MD.code(t.qualifiedName)) (\(MD.cell(t.kind)), \(cite(t.path, t.line)))"
            var linked = plain
            func add(_ label: String, _ names: [String]) {
                plain += " — \(label) " + names.map(MD.code).joined(separator: ", ")
                linked += " — \(label) " + names.map { link($0, m, a) }.joined(separator: ", ")
            }
            if !bases.isEmpty { add(Self.heritageLabel(t), bases) }
            for x in added {
                let where_ = " (extension at \(cite(x.path, x.line)))"
                add("conforms to", shown(x.inherits))
                plain += where_
                linked += where_
            }
            if !subs.isEmpty {
                let list = subs.prefix(20).map { "\(MD.code($0.qualifiedName)) (\(cite($0.path, $0.line)))" }.joined(
                    separator: ", ")
                plain += " — extended by " + list
                linked += " — extended by " + list
            }
            lines.append((plain, linked))
        }
        // Extensions of types declared elsewhere (`extension String: Identifiable`); never of a non-public type.
        let declared = Set(publicTypes.map(\.name))
        for x in extensions where !declared.contains(Self.lastName(x.name)) && !hidden.contains(Self.lastName(x.name)) {
            let conformances = shown(x.inherits)
            guard !conformances.isEmpty else { continue }
            let plain =
                "- \(MD.code(x.name)) (extension, \(cite(x.path, x.line))) — conforms to "
                + conformances.map(MD.code).joined(separator: ", ")
            let linked =
                "- \(link(x.name, m, a)) (extension, \(cite(x.path, x.line))) — conforms to "
                + conformances.map { link($0, m, a) }.joined(separator: ", ")
            lines.append((plain, linked))
        }
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

    /// What a type's heritage is called in its language.
    static func heritageLabel(_ t: Symbol) -> String {
        switch t.kind {
        case "protocol", "interface", "trait": return "refines"
        default: return t.language == "Swift" ? "inherits from or conforms to" : "extends or implements"
        }
    }
}
