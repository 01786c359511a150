import SwiftParser
import SwiftSyntax

/// Walks one parsed file's declarations (not function bodies, accessors or closures) and writes
/// them as ctags-style JSON lines, in source order.
struct Extractor {
    /// The enclosing type or extension of a member.
    struct Scope {
        var path: String  // dotted: Outer.Inner
        var kind: String  // struct, class, enum, protocol, extension, actor
        var memberAccess: String?  // access a member gets without its own modifier (protocol, extension)
        var caseAccess: String  // access of an enum's cases: the enum's
    }

    let path: String
    let lines: LineTable
    private var json = JSONWriter()

    /// Brackets and braces nested deeper than this end the parse (swift-syntax's guard against
    /// overflowing the stack). Set explicitly because swift-syntax's own default is 256 in release
    /// builds but only 20 in debug builds, which cuts real files short.
    static let maximumNestingLevel = 256

    /// Parses `source` and returns the JSON lines for it.
    static func run(path: String, source: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let tree = Parser.parse(source: source, maximumNestingLevel: Extractor.maximumNestingLevel)
        var extractor = Extractor(path: path, lines: LineTable(source))
        extractor.fileDoc(tree)
        extractor.statements(tree.statements, scope: nil)
        return extractor.json.bytes
    }

    init(path: String, lines: LineTable) {
        self.path = path
        self.lines = lines
    }

    // MARK: Walking

    private mutating func fileDoc(_ tree: SourceFileSyntax) {
        guard let first = tree.firstToken(viewMode: .sourceAccurate) else { return }
        let trivia = first.leadingTrivia
        guard let (doc, lineCount) = DocComment.fileLevel(trivia) else { return }
        // Position of the first comment: the whitespace before it is all that precedes it.
        var offset = first.position.utf8Offset
        for piece in trivia {
            if piece.isComment { break }
            offset += piece.sourceLength.utf8Length
        }
        let line = lines.line(offset)
        json.begin()
        json.add("_type", "file")
        json.add("path", path)
        json.add("language", "Swift")
        json.add("line", line)
        json.add("end", line + lineCount - 1)
        json.add("doc", doc)
        json.end()
    }

    private mutating func statements(_ items: CodeBlockItemListSyntax, scope: Scope?) {
        for item in items {
            if case .decl(let decl) = item.item { declaration(decl, scope: scope) }
        }
    }

    private mutating func members(_ items: MemberBlockItemListSyntax, scope: Scope?) {
        for item in items { declaration(item.decl, scope: scope) }
    }

    /// One declaration by its kind; the kinds with more than a line of work each have their own step.
    private mutating func declaration(_ decl: DeclSyntax, scope: Scope?) {
        switch decl.as(DeclSyntaxEnum.self) {
        case .importDecl(let d): importLine(d)
        case .ifConfigDecl(let d): conditional(d, scope: scope)
        case .classDecl, .structDecl, .enumDecl, .actorDecl, .protocolDecl: typeDeclaration(decl, scope: scope)
        case .extensionDecl(let d): extensionBlock(d, scope: scope)
        case .variableDecl(let d): variables(d, scope: scope)
        case .enumCaseDecl(let d): enumCases(d, scope: scope)
        default: callableOrAlias(decl, scope: scope)
        }
    }

    private mutating func importLine(_ d: ImportDeclSyntax) {
        guard let module = d.path.first?.name.text else { return }
        json.begin()
        json.add("_type", "import")
        json.add("path", path)
        json.add("language", "Swift")
        json.add("line", line(d.positionAfterSkippingLeadingTrivia))
        json.add("module", unquote(module))
        json.end()
    }

    /// `#if` blocks: every clause's declarations count, whichever the build would take.
    private mutating func conditional(_ d: IfConfigDeclSyntax, scope: Scope?) {
        for clause in d.clauses {
            switch clause.elements {
            case .statements(let items): statements(items, scope: scope)
            case .decls(let items): members(items, scope: scope)
            default: break
            }
        }
    }

    /// Class, struct, enum, actor and protocol: the same entry and scope, from each one's own clauses
    /// (a protocol's primary associated types stand where the others' generic parameters do).
    private mutating func typeDeclaration(_ decl: DeclSyntax, scope: Scope?) {
        switch decl.as(DeclSyntaxEnum.self) {
        case .classDecl(let d):
            nominal(
                d, kind: "class", name: d.name, modifiers: d.modifiers,
                signature: Signature.of(d.genericParameterClause, d.inheritanceClause, d.genericWhereClause),
                members: d.memberBlock, scope: scope, inherits: Self.inherited(d.inheritanceClause))
        case .structDecl(let d):
            nominal(
                d, kind: "struct", name: d.name, modifiers: d.modifiers,
                signature: Signature.of(d.genericParameterClause, d.inheritanceClause, d.genericWhereClause),
                members: d.memberBlock, scope: scope, inherits: Self.inherited(d.inheritanceClause))
        case .enumDecl(let d):
            nominal(
                d, kind: "enum", name: d.name, modifiers: d.modifiers,
                signature: Signature.of(d.genericParameterClause, d.inheritanceClause, d.genericWhereClause),
                members: d.memberBlock, scope: scope, inherits: Self.inherited(d.inheritanceClause))
        case .actorDecl(let d):
            nominal(
                d, kind: "actor", name: d.name, modifiers: d.modifiers,
                signature: Signature.of(d.genericParameterClause, d.inheritanceClause, d.genericWhereClause),
                members: d.memberBlock, scope: scope, inherits: Self.inherited(d.inheritanceClause))
        case .protocolDecl(let d):
            nominal(
                d, kind: "protocol", name: d.name, modifiers: d.modifiers,
                signature: Signature.of(d.primaryAssociatedTypeClause, d.inheritanceClause, d.genericWhereClause),
                members: d.memberBlock, scope: scope, inherits: Self.inherited(d.inheritanceClause))
        default:
            break
        }
    }

    private mutating func extensionBlock(_ d: ExtensionDeclSyntax, scope: Scope?) {
        let name = Signature.of(d.extendedType)
        let explicit = explicitAccess(d.modifiers)
        tag(
            name, kind: "extension", node: d,
            signature: Signature.of(d.inheritanceClause, d.genericWhereClause),
            scope: scope, access: explicit ?? scope?.memberAccess ?? "internal", inherits: Self.inherited(d.inheritanceClause))
        // Members of `public extension` are public unless they say otherwise; of a private
        // extension, file-private.
        let memberAccess = explicit == "private" ? "fileprivate" : explicit
        let inner = Scope(
            path: scope.map { $0.path + "." + name } ?? name, kind: "extension",
            memberAccess: memberAccess, caseAccess: memberAccess ?? "internal")
        members(d.memberBlock.members, scope: inner)
    }

    /// Functions, initializers, subscripts, type aliases, associated types and macros: one entry each,
    /// no members. Operators, precedence groups and `#macro` expansions give none.
    private mutating func callableOrAlias(_ decl: DeclSyntax, scope: Scope?) {
        switch decl.as(DeclSyntaxEnum.self) {
        case .functionDecl(let d):
            tag(
                unquote(d.name.text), kind: "function", node: d,
                signature: Signature.of(d.genericParameterClause, d.signature, d.genericWhereClause),
                scope: scope, access: access(d.modifiers, scope))
        case .initializerDecl(let d):
            tag(
                "init", kind: "function", node: d,
                signature: Signature.of(d.optionalMark, d.genericParameterClause, d.signature, d.genericWhereClause),
                scope: scope, access: access(d.modifiers, scope))
        case .deinitializerDecl(let d):
            tag(
                "deinit", kind: "function", node: d, signature: Signature.of(d.effectSpecifiers),
                scope: scope, access: access(d.modifiers, scope))
        case .subscriptDecl(let d):
            tag(
                "subscript", kind: "function", node: d,
                signature: Signature.of(
                    d.genericParameterClause, d.parameterClause, d.returnClause, d.genericWhereClause),
                scope: scope, access: access(d.modifiers, scope))
        case .typeAliasDecl(let d):
            tag(
                unquote(d.name.text), kind: "typealias", node: d,
                signature: Signature.of(d.genericParameterClause, d.initializer, d.genericWhereClause),
                scope: scope, access: access(d.modifiers, scope))
        case .associatedTypeDecl(let d):
            tag(
                unquote(d.name.text), kind: "associatedtype", node: d,
                signature: Signature.of(d.inheritanceClause, d.initializer, d.genericWhereClause),
                scope: scope, access: access(d.modifiers, scope))
        case .macroDecl(let d):
            tag(
                unquote(d.name.text), kind: "macro", node: d,
                signature: Signature.of(d.genericParameterClause, d.signature, d.genericWhereClause),
                scope: scope, access: access(d.modifiers, scope))
        default:
            break  // operators, precedence groups, `#macro` expansions, …
        }
    }

    /// `var a, b: Int` and `let (x, y) = …`: an entry per bound name.
    private mutating func variables(_ d: VariableDeclSyntax, scope: Scope?) {
        let kind = scope == nil ? "variable" : "property"
        let access = access(d.modifiers, scope)
        let bindings = Array(d.bindings)
        for (i, binding) in bindings.enumerated() {
            // `var a, b: Int`: `a` takes its type from the next annotated binding.
            var annotation = binding.typeAnnotation
            if annotation == nil, binding.initializer == nil {
                annotation = bindings[(i + 1)...].lazy.compactMap(\.typeAnnotation).first
            }
            for name in names(binding.pattern) {
                tag(
                    name, kind: kind, node: bindings.count == 1 ? Syntax(d) : Syntax(binding),
                    signature: Signature.of(annotation), scope: scope, access: access,
                    docFrom: Syntax(d))
            }
        }
    }

    /// `case a, b(Int)`: an entry per case, with the enum's access and the declaration's doc comment.
    private mutating func enumCases(_ d: EnumCaseDeclSyntax, scope: Scope?) {
        let elements = Array(d.elements)
        for element in elements {
            tag(
                unquote(element.name.text), kind: "case",
                node: elements.count == 1 ? Syntax(d) : Syntax(element),
                signature: Signature.of(element.parameterClause, element.rawValue),
                scope: scope, access: scope?.caseAccess ?? "internal", docFrom: Syntax(d))
        }
    }

    /// A class, struct, enum, actor or protocol, then its members.
    private mutating func nominal(
        _ node: some DeclSyntaxProtocol, kind: String, name: TokenSyntax, modifiers: DeclModifierListSyntax,
        signature: String, members block: MemberBlockSyntax, scope: Scope?, inherits: [String] = []
    ) {
        let name = unquote(name.text)
        let access = access(modifiers, scope)
        tag(name, kind: kind, node: node, signature: signature, scope: scope, access: access, inherits: inherits)
        let inner = Scope(
            path: scope.map { $0.path + "." + name } ?? name, kind: kind,
            memberAccess: kind == "protocol" ? access : nil, caseAccess: access)
        members(block.members, scope: inner)
    }

    // MARK: Output

    /// Where the declaration itself starts: after its attributes (`@inlinable`, `@available(…)` lines), so
    /// that the cited line is the one that names the symbol.
    static func declarationStart(_ node: some SyntaxProtocol) -> AbsolutePosition {
        if let decl = Syntax(node).asProtocol(WithAttributesSyntax.self), !decl.attributes.isEmpty,
            let last = decl.attributes.lastToken(viewMode: .sourceAccurate),
            let next = last.nextToken(viewMode: .sourceAccurate)
        {
            return next.positionAfterSkippingLeadingTrivia
        }
        return node.positionAfterSkippingLeadingTrivia
    }

    private mutating func tag(
        _ name: String, kind: String, node: some SyntaxProtocol, signature: String, scope: Scope?,
        access: String, docFrom: Syntax? = nil, inherits: [String] = []
    ) {
        guard !name.isEmpty else { return }  // recovered from a parse error
        json.begin()
        json.add("_type", "tag")
        json.add("name", name)
        json.add("path", path)
        json.add("language", "Swift")
        json.add("line", line(Self.declarationStart(node)))
        json.add("end", line(node.endPositionBeforeTrailingTrivia))
        json.add("kind", kind)
        json.addIfPresent("signature", signature)
        if let scope {
            json.add("scope", scope.path)
            json.add("scopeKind", scope.kind)
        }
        json.add("access", access)
        // ctags' field: the superclass, protocols and conformances, comma-separated.
        json.addIfPresent("inherits", inherits.joined(separator: ","))
        json.addIfPresent("doc", DocComment.attached((docFrom ?? Syntax(node)).leadingTrivia))
        json.end()
    }

    private func line(_ position: AbsolutePosition) -> Int {
        lines.line(position.utf8Offset)
    }

    // MARK: Helpers

    /// The types an inheritance clause names, as written (`Base`, `Codable`, `Collection<Int>`).
    static func inherited(_ clause: InheritanceClauseSyntax?) -> [String] {
        clause?.inheritedTypes.map { $0.type.trimmedDescription.replacingOccurrences(of: ",", with: " ") } ?? []
    }

    private static let accessLevels: Set<String> = ["open", "public", "package", "internal", "fileprivate", "private"]

    /// The access modifier written on the declaration; `private(set)` and the like don't count.
    private func explicitAccess(_ modifiers: DeclModifierListSyntax) -> String? {
        for modifier in modifiers where modifier.detail == nil {
            let text = modifier.name.text
            if Extractor.accessLevels.contains(text) { return text }
        }
        return nil
    }

    private func access(_ modifiers: DeclModifierListSyntax, _ scope: Scope?) -> String {
        explicitAccess(modifiers) ?? scope?.memberAccess ?? "internal"
    }

    /// The names a `var`/`let` pattern binds: `x`, or each name of `(x, y)`.
    private func names(_ pattern: PatternSyntax) -> [String] {
        if let p = pattern.as(IdentifierPatternSyntax.self) { return [unquote(p.identifier.text)] }
        if let p = pattern.as(TuplePatternSyntax.self) { return p.elements.flatMap { names($0.pattern) } }
        if let p = pattern.as(ValueBindingPatternSyntax.self) { return names(p.pattern) }
        return []
    }

    /// `default` for `` `default` ``.
    private func unquote(_ name: String) -> String {
        if name.count >= 2, name.hasPrefix("`"), name.hasSuffix("`") { return String(name.dropFirst().dropLast()) }
        return name
    }
}
