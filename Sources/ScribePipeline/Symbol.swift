/// A declaration found by universal-ctags or, for Swift, by swift-syntax.
public struct Symbol: Sendable {
    public let name: String
    public let kind: String
    public let path: String
    public let line: Int
    public let end: Int?
    public let signature: String?
    public let scope: String?
    public let scopeKind: String?
    public let access: String?
    public let typeref: String?
    public let fileScoped: Bool
    public let language: String?
    public var doc: String?
    /// Set from the declaration's own line where the tool does not tell (Rust `pub`, JS/TS `export`).
    public var exported: Bool? = nil
    /// How many declarations this entry stands for (Python `@overload` stubs with their implementation).
    public var overloads: Int? = nil
    /// An overload group's distinct declarations in source order, each as pages show a header
    /// (`area(x: int) -> int`), when there are more than one.
    public var signatures: [String] = []
    /// "test" or "example" for declarations that exercise the API rather than belong to it.
    public var role: String? = nil
    /// For examples: the symbol they document (`Server.Start`).
    public var documents: String? = nil
    /// C: a definition with external linkage in a .c file, public when a header declares it.
    public var needsDeclaration = false
    /// C and C++: where the function a header declares is defined (its entry is the declaration).
    public var definedAt: (path: String, line: Int)? = nil
    /// C#: one part of a `partial` type.
    public var partial = false
    /// A type's base classes, interfaces, protocols and (for an extension) the conformances it adds, as the
    /// declaration names them (ctags' `inherits` field).
    public var inherits: [String] = []

    /// The name with its scope, as pages show it (`Calculator.add`).
    public var qualifiedName: String { scope.map { "\($0).\(name)" } ?? name }

    /// Kinds that make an API reference; locals, parameters and the like are left out.
    static let referenceKinds: Set<String> = [
        "class", "struct", "enum", "protocol", "interface", "trait", "function", "func", "method", "member", "macro",
        "typedef", "type", "typealias", "actor", "extension", "module", "namespace", "constant", "variable", "property",
        "field", "case", "enumerator", "union", "object", "record", "implementation", "singletonMethod", "associatedtype",
        "const", "var", "prototype", "alias", "annotation", "mixin", "define",
    ]

    static let typeKinds: Set<String> = [
        "class", "struct", "enum", "protocol", "interface", "trait", "actor", "extension", "union", "object", "record",
        "namespace", "module", "implementation", "mixin", "type", "typedef", "typealias",
    ]

    /// Whether the symbol is part of the module's public surface, by the rules of its language.
    public var isPublic: Bool {
        if fileScoped || role != nil { return false }
        if let a = access?.lowercased(), ["private", "fileprivate", "protected", "internal", "package"].contains(a) {
            // Swift's default is internal: a Swift package's API is what it marks public or open.
            return false
        }
        if name.hasPrefix("_") { return false }
        if let exported { return exported }
        switch language {
        case "Go": return name.first?.isUppercase ?? false
        case "Swift": return access == "public" || access == "open"
        default: return true
        }
    }

    public var isReference: Bool { Symbol.referenceKinds.contains(kind) }
    public var isType: Bool { Symbol.typeKinds.contains(kind) }
    /// A type's own declaration: an extension adds to a type declared elsewhere and declares none.
    public var declaresType: Bool { isType && kind != "extension" }
    /// C or C++, whose declarations and definitions the indexer settles across headers and sources.
    var isCFamily: Bool { language == "C" || language == "C++" }
}

extension Array {
    /// The elements whose positions are not in `positions`, in order.
    mutating func remove(at positions: Set<Int>) {
        guard !positions.isEmpty else { return }
        self = enumerated().filter { !positions.contains($0.offset) }.map(\.element)
    }
}

/// An import, include, use or require statement, as written.
public struct Import: Sendable {
    public let path: String
    public let line: Int
    /// As written in the statement.
    public let target: String
    /// Resolved against the importing file's folder (C quoted includes, require_relative, Rust `mod`).
    public var relative: Bool = false
    /// As the parser classed it: "relative", "system" (`#include <…>`), "module", "dynamic" (`import()`),
    /// "mod" (Rust `mod x;`); nil from the line reader.
    public var kind: String? = nil
    /// The names a `from … import a, b` statement takes from its target.
    public var names: [String] = []
}
