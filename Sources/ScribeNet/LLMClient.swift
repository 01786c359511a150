import Foundation
import ScribeCore

/// Any OpenAI-compatible chat-completions endpoint. The key travels in the Authorization header only;
/// no error this client raises contains it, the request, or the provider's raw answer.
public struct LLMClient: Sendable {
    public let baseURL: String
    public let model: String
    private let apiKey: String
    public let http: HTTPClient
    public var maxTokens: Int

    public init(
        baseURL: String, model: String, apiKey: String, timeoutSeconds: Int = 120, maxTokens: Int = 700,
        allowPrivateNetworks: Bool = false
    ) {
        var b = baseURL
        while b.hasSuffix("/") { b.removeLast() }
        self.baseURL = b
        self.model = model
        self.apiKey = apiKey
        self.http = HTTPClient(timeoutSeconds: timeoutSeconds, maxBodyBytes: 4 << 20, allowPrivateNetworks: allowPrivateNetworks)
        self.maxTokens = maxTokens
    }

    public struct Completion: Sendable {
        public let text: String
        /// From the answer's `usage`, else counted from the text with `TokenEstimate` (never 0).
        public let promptTokens: Int
        public let completionTokens: Int
        /// Whether the provider reported `usage`.
        public let usageReported: Bool
        /// `finish_reason: "length"`: the answer was cut at `max_tokens`.
        public let truncated: Bool
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unauthorized
        /// 429 with `insufficient_quota`: the account has no credit left; waiting does not help.
        case quotaExhausted
        case rateLimited(retryAfter: Double?)
        case server(Int)
        case timeout
        case network(String)
        /// The endpoint's address is one outbound requests may not reach: no request (and no key) was sent.
        case refused(String)
        case malformed(String)
        case rejected(Int)

        public var description: String {
            switch self {
            case .unauthorized: return "the LLM API refused the key (401)"
            case .quotaExhausted: return "the LLM account's quota is exhausted (429 insufficient_quota)"
            case .rateLimited(let s): return "the LLM API's rate limit was reached" + (s.map { " (retry after \($0) s)" } ?? "")
            case .server(let c): return "the LLM API answered \(c)"
            case .timeout: return "the LLM API did not answer in time"
            case .network(let m): return "the LLM API could not be reached: \(m)"
            case .refused(let m): return "the LLM API was not contacted: \(m)"
            case .malformed(let why): return "the LLM API's answer could not be read (\(why))"
            case .rejected(let c): return "the LLM API rejected the request (\(c))"
            }
        }

        /// A failure that ends the whole job: every other request would meet it too.
        public var isFatal: Bool {
            switch self {
            case .unauthorized, .refused, .quotaExhausted: return true
            default: return false
            }
        }

        /// Worth trying the same request again.
        public var isRetryable: Bool {
            switch self {
            case .rateLimited, .server, .timeout, .network: return true
            default: return false
            }
        }
    }

    public func complete(system: String, user: String) throws -> Completion {
        let body = JSONValue.object([
            ("model", .string(model)),
            ("messages", .array([
                .object([("role", .string("system")), ("content", .string(system))]),
                .object([("role", .string("user")), ("content", .string(user))]),
            ])),
            ("temperature", .int(0)),
            ("max_tokens", .num(maxTokens)),
        ]).serialized()
        let r: HTTPClient.Response
        do {
            r = try http.send(
                method: "POST", url: baseURL + "/chat/completions",
                headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(apiKey)")], body: Array(body.utf8))
        } catch let e as CurlError {
            if e.refusedAddress { throw Failure.refused(e.message) }
            throw e.isTimeout ? Failure.timeout : Failure.network(e.message)
        }
        switch r.status {
        case 200..<300: break
        case 401, 403: throw Failure.unauthorized
        // OpenAI answers an exhausted quota with 429 too, without Retry-After: it is not a rate limit.
        case 429 where Self.errorCode(r.body) == "insufficient_quota": throw Failure.quotaExhausted
        case 429: throw Failure.rateLimited(retryAfter: RetryAfter.seconds(r.headers["retry-after"]))
        // A 503 that says when to come back is a rate limit too: the whole worker waits, not one request.
        case 503 where RetryAfter.seconds(r.headers["retry-after"]) != nil:
            throw Failure.rateLimited(retryAfter: RetryAfter.seconds(r.headers["retry-after"]))
        case 500..<600: throw Failure.server(r.status)
        default: throw Failure.rejected(r.status)
        }
        guard let v = try? JSONValue.parse(r.body) else { throw Failure.malformed("not JSON") }
        guard let choice = v["choices"]?.arrayValue?.first, let text = choice["message"]?["content"]?.stringValue else {
            throw Failure.malformed("no choices[0].message.content")
        }
        let truncated = choice["finish_reason"]?.stringValue == "length"
        // An answer without usage (or with zeros) still cost money: count it from the text, as an upper bound.
        // The provider stops at max_tokens, so an answer never costs more than that (and a cut one exactly that).
        let reportedPrompt = v["usage"]?["prompt_tokens"]?.intValue.map { Int($0) } ?? 0
        let reportedCompletion = v["usage"]?["completion_tokens"]?.intValue.map { Int($0) } ?? 0
        let reported = reportedPrompt > 0 && reportedCompletion > 0
        let completion = reported
            ? reportedCompletion : (truncated ? maxTokens : min(maxTokens, TokenEstimate.tokens(text)))
        return Completion(
            text: text, promptTokens: reported ? reportedPrompt : TokenEstimate.promptTokens([system, user]),
            completionTokens: completion, usageReported: reported, truncated: truncated)
    }

    /// The `error.code` of a provider's error body, if it has one.
    static func errorCode(_ body: [UInt8]) -> String? {
        (try? JSONValue.parse(body))?["error"]?["code"]?.stringValue
    }
}
