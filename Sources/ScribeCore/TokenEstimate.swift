/// A tokenizer-independent upper bound of token counts, for the cost estimate, the budget and answers
/// that come without `usage`. Providers' tokenizers differ: English prose runs near 4 characters per
/// token, code near 3, punctuation-heavy text lower. Two UTF-8 bytes per token stays above all of them
/// for the prompts Scribe sends, so an estimate built on it is an upper bound, not a guess.
public enum TokenEstimate {
    /// UTF-8 bytes per token assumed.
    public static let bytesPerToken = 2

    /// Tokens of one text, at least one.
    public static func tokens(_ text: String) -> Int {
        max(1, (text.utf8.count + bytesPerToken - 1) / bytesPerToken)
    }

    /// Tokens of a chat prompt: each message's content plus its framing (4 tokens), plus 3 for the reply's start.
    public static func promptTokens(_ messages: [String]) -> Int {
        messages.reduce(3) { $0 + tokens($1) + 4 }
    }
}
