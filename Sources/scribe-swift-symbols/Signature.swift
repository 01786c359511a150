import SwiftSyntax

/// Declaration headers as one line of text: the tokens of the given nodes, comments dropped,
/// any run of whitespace or line breaks between two tokens written as one space (none just inside
/// brackets or before a comma), trailing commas before a closing bracket dropped.
enum Signature {
    static let maxLength = 1000

    static func of(_ nodes: (any SyntaxProtocol)?...) -> String {
        var out = ""
        var previousKind: TokenKind?
        var previousTrailing = false
        var pendingComma = false  // a comma, written only if no closing bracket follows
        for node in nodes {
            guard let node else { continue }
            for token in node.tokens(viewMode: .sourceAccurate) {
                let kind = token.tokenKind
                let gap = previousTrailing || token.leadingTriviaLength.utf8Length > 0
                if pendingComma {
                    pendingComma = false
                    if !isClosing(kind) { out += "," }
                }
                if let previousKind, gap, !isOpening(previousKind), !isClosing(kind), kind != .comma {
                    out += " "
                }
                if kind == .comma {
                    pendingComma = true
                } else {
                    out += token.text
                }
                previousKind = kind
                previousTrailing = token.trailingTriviaLength.utf8Length > 0
                if out.utf8.count > maxLength {
                    return String(out.prefix(maxLength)) + "…"
                }
            }
        }
        return out
    }

    private static func isOpening(_ kind: TokenKind) -> Bool {
        switch kind {
        case .leftParen, .leftSquare, .leftAngle: return true
        default: return false
        }
    }

    private static func isClosing(_ kind: TokenKind) -> Bool {
        switch kind {
        case .rightParen, .rightSquare, .rightAngle: return true
        default: return false
        }
    }
}
