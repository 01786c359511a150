/// GitHub's push-webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` under the
/// secret both sides hold.
public enum PushSignature {
    public static let header = "x-hub-signature-256"

    /// The header's value for `body` under `secret`.
    public static func sign(body: [UInt8], secret: String) -> String {
        "sha256=" + Secrets.hex(Secrets.hmacSHA256(key: Array(secret.utf8), data: body))
    }

    /// Whether `header` is the signature of `body` under `secret`; a missing or malformed header is not.
    /// The digests are compared in constant time.
    public static func verify(header: String?, body: [UInt8], secret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="), header.utf8.count == 71,
            let given = Secrets.unhex(String(header.dropFirst(7)))
        else { return false }
        return Secrets.constantTimeEqual(given, Secrets.hmacSHA256(key: Array(secret.utf8), data: body))
    }
}
