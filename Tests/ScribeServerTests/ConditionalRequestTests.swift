import Testing

@testable import ScribeServer

@Suite("If-None-Match")
struct ConditionalRequestTests {
    private func request(_ header: String?) -> HTTPRequest {
        HTTPRequest(method: "GET", path: "/api/documentation/jobs/x", headers: header.map { ["if-none-match": $0] } ?? [:])
    }

    @Test("compared weakly (RFC 9110 §13.1.2): gzip's W/ form matches the strong tag", arguments: [
        #""j-3""#, #"W/"j-3""#, #""a", "j-3""#, #"W/"a" , W/"j-3""#, "*",
    ])
    func matches(_ header: String) {
        #expect(request(header).ifNoneMatch(#""j-3""#))
    }

    @Test("another version, a prefix or no header is no match", arguments: [
        #""j-4""#, #"W/"j-30""#, #""j-3"x"#, #"W/j-3"#, "",
    ])
    func misses(_ header: String) {
        #expect(!request(header).ifNoneMatch(#""j-3""#))
    }

    @Test("no header, no match")
    func absent() {
        #expect(!request(nil).ifNoneMatch(#""j-3""#))
    }
}
