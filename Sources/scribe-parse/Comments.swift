/// The comment block right above a declaration, by the rules most languages share: only comments
/// between it and the previous sibling (never across another declaration), not a comment that
/// trails the previous sibling's last line.
enum Comments {
    /// `adjacent`: every comment line touches the next one and the last touches the declaration
    /// (Go, Rust, C, Java); otherwise blank lines may separate them as long as nothing else does (JSDoc).
    static func above(_ node: Node, adjacent: Bool, isComment: (Node) -> Bool = { $0.type == "comment" }) -> [Node] {
        var found: [Node] = []
        var nextLine = node.line
        var cursor = node.previousNamed
        while let c = cursor, isComment(c) {
            if adjacent && c.endLine < nextLine - 1 { break }
            if let before = c.previousNamed, before.endLine == c.line, !isComment(before) { break }  // trailing comment
            found.insert(c, at: 0)
            nextLine = c.line
            cursor = c.previousNamed
        }
        return found
    }

    /// The doc comment's text, markers off and dedented.
    static func text(_ nodes: [Node]) -> String? {
        DocText.uncomment(nodes.map(\.text))
    }
}
