import CCrypto
import Foundation

/// Hashing, random tokens and authenticated encryption of stored secrets (GitHub tokens, LLM keys), on
/// OpenSSL's libcrypto.
public enum Secrets {
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in _ = SHA256(b.baseAddress, b.count, o.baseAddress) }
        }
        return out
    }

    public static func sha256Hex(_ s: String) -> String { hex(sha256(Array(s.utf8))) }

    /// HMAC-SHA256 of `data` under `key`.
    public static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in
                out.withUnsafeMutableBufferPointer { o in
                    _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.baseAddress, d.count, o.baseAddress, &length)
                }
            }
        }
        return out
    }

    /// Equal lengths and equal bytes, compared without an early exit: the time taken says nothing of where
    /// two digests differ.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    public static func randomBytes(_ n: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(n)) }
        if ok != 1 {
            // libcrypto's generator failed (no entropy source): fall back to the system's.
            var g = SystemRandomNumberGenerator()
            for i in 0..<n { out[i] = UInt8.random(in: 0...255, using: &g) }
        }
        return out
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func unhex(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    /// A new API token: `scr_` and 32 random bytes in hex. Only its SHA-256 is stored.
    public static func newAPIToken() -> String { "scr_" + hex(randomBytes(32)) }

    /// The digest under which a presented token is looked up.
    public static func tokenDigest(_ token: String) -> [UInt8] { sha256(Array(token.utf8)) }
}

/// AES-256-GCM with a key from `SCRIBE_SECRET_KEY`: version byte, 12-byte nonce, ciphertext, 16-byte tag.
public struct SecretBox: Sendable {
    public enum BoxError: Error, CustomStringConvertible {
        case badKey, sealFailed, openFailed
        public var description: String {
            switch self {
            case .badKey: return "SCRIBE_SECRET_KEY must be 64 hexadecimal characters"
            case .sealFailed: return "encryption failed"
            case .openFailed: return "a stored secret could not be decrypted (was SCRIBE_SECRET_KEY changed?)"
            }
        }
    }

    private let key: [UInt8]

    public init(hexKey: String) throws {
        guard let k = Secrets.unhex(hexKey), k.count == 32 else { throw BoxError.badKey }
        key = k
    }

    public func seal(_ plaintext: String) throws -> [UInt8] {
        let nonce = Secrets.randomBytes(12)
        let input = Array(plaintext.utf8)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw BoxError.sealFailed }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: input.count + 16)
        var len: Int32 = 0
        var total = 0
        guard EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { throw BoxError.sealFailed }
        if !input.isEmpty {
            guard EVP_EncryptUpdate(ctx, &out, &len, input, Int32(input.count)) == 1 else { throw BoxError.sealFailed }
            total = Int(len)
        }
        let ok = out.withUnsafeMutableBufferPointer { p in EVP_EncryptFinal_ex(ctx, p.baseAddress! + total, &len) }
        guard ok == 1 else { throw BoxError.sealFailed }
        total += Int(len)
        var tag = [UInt8](repeating: 0, count: 16)
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, &tag) == 1 else { throw BoxError.sealFailed }
        return [1] + nonce + Array(out[0..<total]) + tag
    }

    public func open(_ sealed: [UInt8]) throws -> String {
        guard sealed.count >= 1 + 12 + 16, sealed[0] == 1 else { throw BoxError.openFailed }
        let nonce = Array(sealed[1..<13])
        let body = Array(sealed[13..<(sealed.count - 16)])
        var tag = Array(sealed[(sealed.count - 16)...])
        guard let ctx = EVP_CIPHER_CTX_new() else { throw BoxError.openFailed }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: body.count + 16)
        var len: Int32 = 0
        var total = 0
        guard EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { throw BoxError.openFailed }
        if !body.isEmpty {
            guard EVP_DecryptUpdate(ctx, &out, &len, body, Int32(body.count)) == 1 else { throw BoxError.openFailed }
            total = Int(len)
        }
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, &tag) == 1 else { throw BoxError.openFailed }
        let ok = out.withUnsafeMutableBufferPointer { p in EVP_DecryptFinal_ex(ctx, p.baseAddress! + total, &len) }
        guard ok == 1 else { throw BoxError.openFailed }
        total += Int(len)
        guard let s = String(validating: out[0..<total], as: UTF8.self) else { throw BoxError.openFailed }
        return s
    }
}

extension SecretBox {
    /// Re-encrypts a sealed secret under another key (`scribe secrets rotate`). A secret that this box cannot
    /// open but `newBox` can was rotated already (an interrupted earlier run): it is returned as it is.
    public func rotate(_ sealed: [UInt8], to newBox: SecretBox) throws -> (sealed: [UInt8], changed: Bool) {
        do {
            return (try newBox.seal(try open(sealed)), true)
        } catch BoxError.openFailed {
            _ = try newBox.open(sealed)
            return (sealed, false)
        }
    }
}
