import ScribeCrypto
import Testing

/// API tokens are looked up by their SHA-256 only: the digest must be the standard one.
@Suite struct SecretsTests {
    @Test func sha256MatchesTheStandardTestVectors() {
        #expect(Secrets.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Secrets.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(Secrets.sha256Hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func aTokenDigestIsTheSHA256OfItsUTF8Bytes() {
        let token = "scr_" + String(repeating: "ab", count: 32)
        #expect(Secrets.tokenDigest(token) == Secrets.sha256(Array(token.utf8)))
        #expect(Secrets.tokenDigest(token).count == 32)
        #expect(Secrets.tokenDigest(token) != Secrets.tokenDigest(token + "x"))
    }

    @Test func newTokensAreScrAnd64HexDigitsAndNeverRepeat() {
        let tokens = (0..<200).map { _ in Secrets.newAPIToken() }
        #expect(Set(tokens).count == tokens.count)
        for t in tokens {
            #expect(t.hasPrefix("scr_") && t.utf8.count == 68)
            #expect(Secrets.unhex(String(t.dropFirst(4)))?.count == 32)
        }
    }

    @Test func hexRoundTripsAndRefusesWhatIsNotHex() {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xfe, 0xff]
        #expect(Secrets.hex(bytes) == "00017f80feff")
        #expect(Secrets.unhex("00017F80FEff") == bytes)
        #expect(Secrets.unhex("abc") == nil)
        #expect(Secrets.unhex("zz") == nil)
    }
}
