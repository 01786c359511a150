import ScribeCrypto
import Testing

/// A receiver checks the signature with its own HMAC: the function must be the standard HMAC-SHA256 over
/// `timestamp.body`, nothing of its own.
@Suite struct WebhookSignatureTests {
    @Test func hmacMatchesRFC4231() {
        // RFC 4231, test cases 2 and 1.
        let jefe = WebhookSignature.hmacSHA256(
            key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Secrets.hex(jefe) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let tc1 = WebhookSignature.hmacSHA256(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
        #expect(Secrets.hex(tc1) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    @Test func emptyKeyAndMessageGiveTheStandardDigest() {
        #expect(
            Secrets.hex(WebhookSignature.hmacSHA256(key: [], message: []))
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func theSignatureCoversTimestampDotBody() {
        let body = Array(#"{"event":"job.completed"}"#.utf8)
        let sig = WebhookSignature.sign(secret: "whsec_test", timestamp: 1_700_000_000, body: body)
        // Computed independently: python3 -c "import hmac; print(hmac.new(b'whsec_test', b'1700000000.{\"event\":\"job.completed\"}', 'sha256').hexdigest())"
        #expect(sig == "sha256=51be9920773f454007b9aaf2ef84578604f287a1ad8b1cf6918458c66aac6bd8")
        // Another timestamp or another body gives another signature: neither can be replayed with the other.
        #expect(sig != WebhookSignature.sign(secret: "whsec_test", timestamp: 1_700_000_001, body: body))
        #expect(sig != WebhookSignature.sign(secret: "whsec_test", timestamp: 1_700_000_000, body: body + [0x20]))
        #expect(sig != WebhookSignature.sign(secret: "whsec_other", timestamp: 1_700_000_000, body: body))
    }

    @Test func generatedSecretsAreLongAndNeverRepeat() {
        let a = WebhookSignature.newSecret()
        #expect(a.hasPrefix("whsec_") && a.count == 6 + 64)
        #expect(a != WebhookSignature.newSecret())
    }
}
