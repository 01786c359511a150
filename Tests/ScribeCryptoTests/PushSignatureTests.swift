import ScribeCrypto
import Testing

/// The push webhook's signature as GitHub computes it (docs: "Validating webhook deliveries").
@Suite struct PushSignatureTests {
    static let secret = "It's a Secret to Everybody"
    static let body = Array("Hello, World!".utf8)
    static let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    @Test func githubsDocumentedExampleVerifies() {
        #expect(PushSignature.sign(body: Self.body, secret: Self.secret) == Self.expected)
        #expect(PushSignature.verify(header: Self.expected, body: Self.body, secret: Self.secret))
    }

    @Test func hexDigitsInUpperCaseAreTheSameSignature() {
        let upper = "sha256=" + Self.expected.dropFirst(7).uppercased()
        #expect(PushSignature.verify(header: upper, body: Self.body, secret: Self.secret))
    }

    @Test func anotherBodySecretOrDigitFails() {
        #expect(!PushSignature.verify(header: Self.expected, body: Array("Hello, World?".utf8), secret: Self.secret))
        #expect(!PushSignature.verify(header: Self.expected, body: Self.body, secret: Self.secret + " "))
        var flipped = Array(Self.expected)
        flipped[flipped.count - 1] = flipped.last == "7" ? "8" : "7"
        #expect(!PushSignature.verify(header: String(flipped), body: Self.body, secret: Self.secret))
    }

    @Test func missingOrMalformedHeadersFail() {
        for header in [
            nil, "", "sha256=", "sha1=" + Self.expected.dropFirst(7), String(Self.expected.dropLast()),
            Self.expected + "0",
            "sha256=" + String(repeating: "z", count: 64),
        ] as [String?] {
            #expect(!PushSignature.verify(header: header, body: Self.body, secret: Self.secret))
        }
    }

    @Test func hmacSHA256MatchesRFC4231Case2() {
        let mac = Secrets.hmacSHA256(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))
        #expect(Secrets.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
