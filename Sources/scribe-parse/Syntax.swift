import CTreeSitter

/// One parsed file: its bytes, its tree and its lines. Owns the tree; nodes are valid while it lives.
final class SyntaxFile {
    let path: String
    let bytes: [UInt8]
    private let tree: OpaquePointer
    /// Byte offset of each line's first byte.
    let lineStarts: [Int]

    init?(path: String, bytes: [UInt8], language: OpaquePointer, deadline: UInt64) {
        self.path = path
        self.bytes = bytes
        guard let parser = ts_parser_new() else { return nil }
        defer { ts_parser_delete(parser) }
        guard ts_parser_set_language(parser, language) else { return nil }
        ts_parser_set_timeout_micros(parser, deadline)
        let parsed = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buf.count, 1)) {
                ts_parser_parse_string(parser, nil, $0, UInt32(buf.count))
            }
        }
        guard let parsed else { return nil }
        tree = parsed
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        lineStarts = starts
    }

    deinit { ts_tree_delete(tree) }

    var root: Node { Node(raw: ts_tree_root_node(tree), file: self) }

    /// The text of a byte range, invalid UTF-8 repaired.
    func text(_ start: Int, _ end: Int) -> String {
        let s = max(0, min(start, bytes.count))
        let e = max(s, min(end, bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }

    /// The 1-based line's text without its line break.
    func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return text(start, end)
    }

    func isBlank(line: Int) -> Bool { lineText(line).allSatisfy { $0 == " " || $0 == "\t" } }
}

/// A syntax node and its file.
struct Node {
    let raw: TSNode
    unowned let file: SyntaxFile

    var isNull: Bool { ts_node_is_null(raw) }
    var type: String { String(cString: ts_node_type(raw)) }
    var isNamed: Bool { ts_node_is_named(raw) }
    var startByte: Int { Int(ts_node_start_byte(raw)) }
    var endByte: Int { Int(ts_node_end_byte(raw)) }
    /// 1-based.
    var line: Int { Int(ts_node_start_point(raw).row) + 1 }
    /// 1-based; a node ending at column 0 ends on the line before.
    var endLine: Int {
        let p = ts_node_end_point(raw)
        return Int(p.row) + (p.column == 0 && p.row > ts_node_start_point(raw).row ? 0 : 1)
    }
    var text: String { file.text(startByte, endByte) }

    func field(_ name: String) -> Node? {
        let n = name.withCString { ts_node_child_by_field_name(raw, $0, UInt32(name.utf8.count)) }
        return ts_node_is_null(n) ? nil : Node(raw: n, file: file)
    }

    var children: [Node] {
        (0..<ts_node_child_count(raw)).map { Node(raw: ts_node_child(raw, $0), file: file) }
    }

    var namedChildren: [Node] {
        (0..<ts_node_named_child_count(raw)).map { Node(raw: ts_node_named_child(raw, $0), file: file) }
    }

    var parent: Node? {
        let p = ts_node_parent(raw)
        return ts_node_is_null(p) ? nil : Node(raw: p, file: file)
    }

    var previousNamed: Node? {
        let p = ts_node_prev_named_sibling(raw)
        return ts_node_is_null(p) ? nil : Node(raw: p, file: file)
    }

    var nextNamed: Node? {
        let p = ts_node_next_named_sibling(raw)
        return ts_node_is_null(p) ? nil : Node(raw: p, file: file)
    }

    /// Every descendant (this node included) in document order, pruned where `descend` says no. A tree
    /// cursor: no array of children is built per node.
    func walk(descend: (Node) -> Bool = { _ in true }, _ visit: (Node) -> Void) {
        var cursor = ts_tree_cursor_new(raw)
        defer { ts_tree_cursor_delete(&cursor) }
        while true {
            let node = Node(raw: ts_tree_cursor_current_node(&cursor), file: file)
            visit(node)
            if descend(node) && ts_tree_cursor_goto_first_child(&cursor) { continue }
            while !ts_tree_cursor_goto_next_sibling(&cursor) {
                guard ts_tree_cursor_goto_parent(&cursor) else { return }
            }
        }
    }

    /// The text from the node's start to the start of `child`, trimmed: a declaration's header.
    func header(upTo child: Node?) -> String {
        let end = child?.startByte ?? endByte
        return file.text(startByte, end).split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }
            .joined(separator: " ").trimmingSpaces
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
