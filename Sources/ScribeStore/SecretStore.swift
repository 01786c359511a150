/// Every secret sealed with SCRIBE_SECRET_KEY, in one place: users' GitHub tokens, organisations' LLM keys,
/// webhooks' secrets and repositories' push-webhook secrets.
/// `scribe secrets rotate` reads and rewrites them all in one transaction.
public struct SecretStore {
    public enum Kind: String, Sendable {
        case githubToken = "users.github_token_enc", llmKey = "organisations.llm_key_enc", webhookSecret = "webhooks.secret_enc"
        case pushSecret = "repositories.push_secret_enc"
    }

    public struct Sealed: Sendable {
        public let kind: Kind
        public let id: String
        public let sealed: [UInt8]
    }

    let db: Connection
    public init(_ db: Connection) { self.db = db }

    /// Locks the rows (FOR UPDATE) so that a token stored meanwhile waits for the rotation.
    public func all() throws -> [Sealed] {
        var out: [Sealed] = []
        for r in try db.query(
            "SELECT id::text AS id, github_token_enc FROM users WHERE github_token_enc IS NOT NULL ORDER BY id FOR UPDATE",
            name: "secrets.users"
        ).rows {
            if let id = r.string("id"), let b = r.bytes("github_token_enc") { out.append(Sealed(kind: .githubToken, id: id, sealed: b)) }
        }
        for r in try db.query(
            "SELECT id::text AS id, llm_key_enc FROM organisations WHERE llm_key_enc IS NOT NULL ORDER BY id FOR UPDATE",
            name: "secrets.organisations"
        ).rows {
            if let id = r.string("id"), let b = r.bytes("llm_key_enc") { out.append(Sealed(kind: .llmKey, id: id, sealed: b)) }
        }
        for r in try db.query(
            "SELECT id::text AS id, secret_enc FROM webhooks ORDER BY id FOR UPDATE", name: "secrets.webhooks"
        ).rows {
            if let id = r.string("id"), let b = r.bytes("secret_enc") { out.append(Sealed(kind: .webhookSecret, id: id, sealed: b)) }
        }
        for r in try db.query(
            "SELECT id::text AS id, push_secret_enc FROM repositories WHERE push_secret_enc IS NOT NULL ORDER BY id FOR UPDATE",
            name: "secrets.repositories"
        ).rows {
            if let id = r.string("id"), let b = r.bytes("push_secret_enc") { out.append(Sealed(kind: .pushSecret, id: id, sealed: b)) }
        }
        return out
    }

    public func replace(_ kind: Kind, id: String, sealed: [UInt8]) throws {
        switch kind {
        case .githubToken:
            try db.query("UPDATE users SET github_token_enc = $2::bytea WHERE id = $1", [id, PGArray.byteaHex(sealed)], name: "secrets.users.set")
        case .llmKey:
            try db.query(
                "UPDATE organisations SET llm_key_enc = $2::bytea WHERE id = $1", [id, PGArray.byteaHex(sealed)],
                name: "secrets.organisations.set")
        case .webhookSecret:
            try db.query("UPDATE webhooks SET secret_enc = $2::bytea WHERE id = $1", [id, PGArray.byteaHex(sealed)], name: "secrets.webhooks.set")
        case .pushSecret:
            try db.query(
                "UPDATE repositories SET push_secret_enc = $2::bytea WHERE id = $1", [id, PGArray.byteaHex(sealed)],
                name: "secrets.repositories.set")
        }
    }
}
