import CCrypto

/// The signature of a webhook event: HMAC-SHA256, keyed with the webhook's secret, over
/// `"<timestamp>.<body>"`, sent as `X-Scribe-Signature: sha256=<hex>` next to `X-Scribe-Timestamp`. The
/// timestamp is inside what is signed, so a receiver that refuses old timestamps refuses replays.
public enum WebhookSignature {
    /// HMAC-SHA256 of `message` under `key`.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        // HMAC wants real pointers even for empty input: an empty array is given one byte it does not read.
        let k = key.isEmpty ? [0] : key
        let m = message.isEmpty ? [0] : message
        _ = HMAC(EVP_sha256(), k, Int32(key.count), m, message.count, &out, &length)
        return out
    }

    /// The header value for a body sent at `timestamp` (Unix seconds): `sha256=<64 hex digits>`.
    public static func sign(secret: String, timestamp: Int, body: [UInt8]) -> String {
        "sha256=" + Secrets.hex(hmacSHA256(key: Array(secret.utf8), message: Array("\(timestamp).".utf8) + body))
    }

    /// A new secret for a webhook registered without one: `whsec_` and 32 random bytes in hex.
    public static func newSecret() -> String { "whsec_" + Secrets.hex(Secrets.randomBytes(32)) }
}
