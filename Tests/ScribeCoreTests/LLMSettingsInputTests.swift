import Testing

@testable import ScribeCore

@Suite("LLMSettingsInput")
struct LLMSettingsInputTests {
    func parse(_ json: String, allowPrivate: Bool = false) throws -> Result<LLMSettingsInput, APIError> {
        LLMSettingsInput.parse(try JSONValue.parse(json), allowPrivateNetworks: allowPrivate)
    }

    func refusal(_ json: String) throws -> APIError? {
        if case .failure(let e) = try parse(json) { return e }
        return nil
    }

    @Test("a full body: endpoint, model and a new key")
    func full() throws {
        let i = try parse(#"{"base_url": "https://api.example.org/v1/", "model": "gpt-4o-mini", "api_key": "sk-1"}"#).get()
        #expect(i.baseURL?.url == "https://api.example.org/v1")
        #expect(i.model == "gpt-4o-mini")
        #expect(i.key == .replace("sk-1"))
    }

    @Test("absent key keeps it; null or empty removes it; absent or null URL and model clear them")
    func keySemantics() throws {
        #expect(try parse(#"{"model": "m"}"#).get().key == .keep)
        #expect(try parse(#"{"api_key": null}"#).get().key == .remove)
        #expect(try parse(#"{"api_key": ""}"#).get().key == .remove)
        let cleared = try parse(#"{"base_url": null, "model": null}"#).get()
        #expect(cleared.baseURL == nil && cleared.model == nil)
        #expect(try parse("{}").get() == LLMSettingsInput(baseURL: nil, model: nil, key: .keep))
    }

    @Test(
        "wrong types are 400 and name the field",
        arguments: [
            (#"{"base_url": 12345}"#, "base_url"), (#"{"base_url": true}"#, "base_url"), (#"{"base_url": ["https://a.example"]}"#, "base_url"),
            (#"{"base_url": {"url": "https://a.example"}}"#, "base_url"), (#"{"model": 4}"#, "model"), (#"{"model": {}}"#, "model"),
            (#"{"api_key": 42}"#, "api_key"), (#"{"api_key": false}"#, "api_key"), (#"{"api_key": ["sk"]}"#, "api_key"),
        ])
    func wrongTypes(_ json: String, _ field: String) throws {
        let e = try #require(try refusal(json))
        #expect(e.status == 400)
        #expect(e.message.contains(field), "\(e.message)")
    }

    @Test("unknown fields are 400; so is a body that is not an object")
    func unknownFields() throws {
        #expect(try refusal(#"{"base_url": "https://a.example/v1", "baseurl": "x"}"#)?.message.contains("Unknown field: baseurl") == true)
        #expect(try refusal(#"["base_url"]"#)?.status == 400)
    }

    @Test("the base URL follows URLPolicy.endpoint; the key and model have sane limits; no message repeats the key")
    func values() throws {
        #expect(try refusal(#"{"base_url": "http://169.254.169.254/latest"}"#)?.status == 400)
        #expect(try refusal(#"{"base_url": "https://169.254.169.254/latest"}"#)?.message.contains("link-local") == true)
        #expect(try refusal(#"{"base_url": "https://[::ffff:127.0.0.1]/v1"}"#)?.message.contains("loopback") == true)
        #expect(try parse(#"{"base_url": "http://127.0.0.1:9/v1"}"#, allowPrivate: true).get().baseURL?.port == 9)
        let e = try #require(try refusal(#"{"api_key": "sk-secret value"}"#))
        #expect(!e.message.contains("sk-secret"))
        #expect(try refusal(#"{"model": "gpt 4"}"#)?.status == 400)
    }
}
