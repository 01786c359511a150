/// The body of `PUT /api/organisation/llm`, checked before anything is stored: every field of the right
/// type, no unknown field, a base URL that `URLPolicy.endpoint` accepts. A refused body changes nothing.
public struct LLMSettingsInput: Equatable, Sendable {
    public enum Key: Equatable, Sendable {
        /// `api_key` absent: keep the stored key, if the base URL stays the same.
        case keep
        /// `api_key` null or "": remove the stored key.
        case remove
        case replace(String)
    }

    /// nil clears it (the server's SCRIBE_LLM_* then apply).
    public let baseURL: URLPolicy.Endpoint?
    public let model: String?
    public let key: Key

    public static let fields = ["base_url", "model", "api_key"]

    public static func parse(_ body: JSONValue, allowPrivateNetworks: Bool) -> Result<LLMSettingsInput, APIError> {
        guard let pairs = body.objectPairs else { return .failure(APIError(400, "Request body must be a JSON object")) }
        for (k, _) in pairs where !fields.contains(k) {
            return .failure(APIError(400, "Unknown field: \(k.prefix(64)) (expected \(fields.joined(separator: ", ")))"))
        }
        func optionalString(_ name: String) -> Result<String?, APIError> {
            guard let v = body[name], !v.isNull else { return .success(nil) }
            guard let s = v.stringValue else { return .failure(.badField(name, "expected a string or null")) }
            return .success(s)
        }
        var base: URLPolicy.Endpoint? = nil
        switch optionalString("base_url") {
        case .failure(let e): return .failure(e)
        case .success(let s?) where !s.isEmpty:
            switch URLPolicy.endpoint(s, field: "base_url", allowPrivateNetworks: allowPrivateNetworks) {
            case .success(let e): base = e
            case .failure(let e): return .failure(e)
            }
        case .success: break
        }
        var model: String? = nil
        switch optionalString("model") {
        case .failure(let e): return .failure(e)
        case .success(let s?) where !s.isEmpty:
            guard s.utf8.count <= 200, !s.unicodeScalars.contains(where: URLPolicy.isForbidden) else {
                return .failure(.badField("model", "expected a model name of at most 200 bytes, without spaces or control characters"))
            }
            model = s
        case .success: break
        }
        var key = Key.keep
        if body["api_key"] != nil {
            switch optionalString("api_key") {
            case .failure(let e): return .failure(e)
            case .success(let s?) where !s.isEmpty:
                // The message never repeats the key.
                guard s.utf8.count <= 4096, !s.unicodeScalars.contains(where: URLPolicy.isForbidden) else {
                    return .failure(.badField("api_key", "expected a key of at most 4096 bytes, without spaces or control characters"))
                }
                key = .replace(s)
            case .success: key = .remove
            }
        }
        return .success(LLMSettingsInput(baseURL: base, model: model, key: key))
    }
}
