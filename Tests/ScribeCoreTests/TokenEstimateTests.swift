import Testing

@testable import ScribeCore

@Suite("TokenEstimate")
struct TokenEstimateTests {
    @Test("two UTF-8 bytes per token, rounded up, at least one")
    func perText() {
        #expect(TokenEstimate.tokens("") == 1)
        #expect(TokenEstimate.tokens("a") == 1)
        #expect(TokenEstimate.tokens("abcd") == 2)
        #expect(TokenEstimate.tokens("abcde") == 3)
        // Bytes, not characters: "é" is two bytes, "💡" four.
        #expect(TokenEstimate.tokens("éé") == 2)
        #expect(TokenEstimate.tokens("💡") == 2)
    }

    @Test("a prompt adds 4 tokens of framing per message and 3 for the reply")
    func prompt() {
        #expect(TokenEstimate.promptTokens([]) == 3)
        #expect(TokenEstimate.promptTokens(["abcd", "ab"]) == 3 + (2 + 4) + (1 + 4))
    }

    @Test("code at 3 characters per token stays under the estimate")
    func aboveCodeTokenizers() {
        let code = String(repeating: "func parse(_ text: String) -> [Node] { return [] }\n", count: 40)
        #expect(TokenEstimate.tokens(code) >= code.count / 3)
    }
}
