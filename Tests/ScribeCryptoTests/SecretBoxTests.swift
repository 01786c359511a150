import ScribeCrypto
import Testing

/// The box that seals GitHub tokens and LLM keys: it opens only what it sealed, with its own key.
@Suite struct SecretBoxTests {
    static let key = String(repeating: "0123456789abcdef", count: 4)
    static let otherKey = String(repeating: "fedcba9876543210", count: 4)

    @Test func sealedTextOpensToTheSameTextAndDoesNotContainIt() throws {
        let box = try SecretBox(hexKey: Self.key)
        let secret = "ghp_" + String(repeating: "x", count: 36)
        let sealed = try box.seal(secret)
        #expect(try box.open(sealed) == secret)
        // Version byte, 12-byte nonce, ciphertext as long as the text, 16-byte tag.
        #expect(sealed.count == 1 + 12 + secret.utf8.count + 16)
        #expect(sealed[0] == 1)
        #expect(!String(decoding: sealed, as: UTF8.self).contains(secret))
    }

    @Test func theSameTextSealsDifferentlyEachTime() throws {
        let box = try SecretBox(hexKey: Self.key)
        let a = try box.seal("same")
        let b = try box.seal("same")
        #expect(a != b, "a fresh nonce per seal")
        #expect(try box.open(a) == "same" && box.open(b) == "same")
    }

    @Test(arguments: [0, 1, 12, 13, 20, 36])
    func anyChangedByteIsRefused(at index: Int) throws {
        let box = try SecretBox(hexKey: Self.key)
        var sealed = try box.seal("a secret of some length")
        #expect(index < sealed.count)
        sealed[index] ^= 0x01
        #expect(throws: SecretBox.BoxError.self) { try box.open(sealed) }
    }

    @Test func aCutOrExtendedBoxIsRefused() throws {
        let box = try SecretBox(hexKey: Self.key)
        let sealed = try box.seal("secret")
        #expect(throws: SecretBox.BoxError.self) { try box.open(Array(sealed.dropLast())) }
        #expect(throws: SecretBox.BoxError.self) { try box.open(sealed + [0]) }
        #expect(throws: SecretBox.BoxError.self) { try box.open(Array(sealed.prefix(28))) }
        #expect(throws: SecretBox.BoxError.self) { try box.open([]) }
    }

    @Test func anotherKeyCannotOpenIt() throws {
        let sealed = try SecretBox(hexKey: Self.key).seal("secret")
        #expect(throws: SecretBox.BoxError.self) { try SecretBox(hexKey: Self.otherKey).open(sealed) }
    }

    @Test(arguments: [
        "", "00", String(repeating: "0", count: 63), String(repeating: "g", count: 64),
        String(repeating: "0", count: 66),
    ])
    func aKeyThatIsNot64HexDigitsIsRefused(_ hex: String) {
        #expect(throws: SecretBox.BoxError.self) { try SecretBox(hexKey: hex) }
    }

    @Test func rotationReencryptsUnderTheNewKeyAndKeepsWhatIsAlreadyRotated() throws {
        let old = try SecretBox(hexKey: Self.key)
        let new = try SecretBox(hexKey: Self.otherKey)
        let sealed = try old.seal("secret")
        let rotated = try old.rotate(sealed, to: new)
        #expect(rotated.changed)
        #expect(try new.open(rotated.sealed) == "secret")
        #expect(throws: SecretBox.BoxError.self) { try old.open(rotated.sealed) }
        let again = try old.rotate(rotated.sealed, to: new)
        #expect(!again.changed && again.sealed == rotated.sealed)
    }
}
