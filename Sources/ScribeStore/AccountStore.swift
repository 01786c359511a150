import ScribeCore

/// Organisations, users and API tokens.
public struct AccountStore {
    public let db: Connection
    public init(_ db: Connection) { self.db = db }

    public struct Principal: Sendable, Equatable {
        public let userID: String
        public let email: String
        public let role: String
        public let organisationID: String
        public let organisationName: String
        public var isAdmin: Bool { role == "admin" }
    }

    /// The user behind a token digest, if the token is valid.
    public func principal(tokenHash: [UInt8]) throws -> Principal? {
        guard let r = try db.query(
            """
            SELECT u.id, u.email, u.role, o.id AS org_id, o.name AS org_name
            FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.organisation_id
            WHERE t.token_hash = $1::bytea AND t.revoked_at IS NULL
            """, [PGArray.byteaHex(tokenHash)], name: "auth.principal"
        ).first else { return nil }
        return Principal(
            userID: r.string("id") ?? "", email: r.string("email") ?? "", role: r.string("role") ?? "member",
            organisationID: r.string("org_id") ?? "", organisationName: r.string("org_name") ?? "")
    }

    /// Creates the organisation if needed and the user; fails if the e-mail is taken.
    public func createUser(organisation: String, email: String, admin: Bool) throws -> (userID: String, organisationID: String) {
        try db.withTransaction {
            let org = try db.query(
                """
                INSERT INTO organisations (name) VALUES ($1)
                ON CONFLICT (name) DO UPDATE SET name = excluded.name
                RETURNING id
                """, [organisation], name: "organisations.upsert"
            ).first?.string("id") ?? ""
            let user = try db.query(
                "INSERT INTO users (organisation_id, email, role) VALUES ($1, $2, $3) RETURNING id",
                [org, email, admin ? "admin" : "member"], name: "users.create"
            ).first?.string("id") ?? ""
            return (user, org)
        }
    }

    public func userID(email: String) throws -> String? {
        try db.query("SELECT id FROM users WHERE email = $1", [email], name: "users.by-email").first?.string("id")
    }

    public func organisationID(name: String) throws -> String? {
        try db.query("SELECT id FROM organisations WHERE name = $1", [name], name: "organisations.by-name").first?.string("id")
    }

    public func addToken(userID: String, tokenHash: [UInt8]) throws {
        try db.query(
            "INSERT INTO api_tokens (user_id, token_hash) VALUES ($1, $2::bytea)", [userID, PGArray.byteaHex(tokenHash)],
            name: "tokens.create")
    }

    public func setGitHubToken(userID: String, sealed: [UInt8]?) throws {
        try db.query(
            "UPDATE users SET github_token_enc = $2::bytea WHERE id = $1", [userID, sealed.map(PGArray.byteaHex)],
            name: "users.github-token")
    }

    /// The sealed GitHub token of a user (decrypted only inside the worker).
    public func sealedGitHubToken(userID: String) throws -> [UInt8]? {
        try db.query("SELECT github_token_enc FROM users WHERE id = $1", [userID], name: "users.github-token.get").first?
            .bytes("github_token_enc")
    }

    public func hasGitHubToken(userID: String) throws -> Bool {
        try db.query("SELECT github_token_enc IS NOT NULL AS has FROM users WHERE id = $1", [userID], name: "users.has-github")
            .first?.bool("has") ?? false
    }

    public struct LLMSettings: Sendable {
        public let baseURL: String?
        public let model: String?
        public let sealedKey: [UInt8]?
    }

    public func llmSettings(organisationID: String) throws -> LLMSettings? {
        guard let r = try db.query(
            "SELECT llm_base_url, llm_model, llm_key_enc FROM organisations WHERE id = $1", [organisationID],
            name: "organisations.llm"
        ).first else { return nil }
        return LLMSettings(baseURL: r.string("llm_base_url"), model: r.string("llm_model"), sealedKey: r.bytes("llm_key_enc"))
    }

    /// Stores the settings in one statement. A stored key is only ever sent to the base URL it was stored
    /// with: `keepKey` keeps it only while the URL stays the same; a new URL without a new key clears it.
    /// Returns true when a stored key was cleared for that reason.
    @discardableResult
    public func setLLMSettings(organisationID: String, baseURL: String?, model: String?, sealedKey: [UInt8]?, keepKey: Bool) throws -> Bool {
        try db.query(
            """
            UPDATE organisations o SET llm_base_url = $2, llm_model = $3,
                llm_key_enc = CASE WHEN $5::boolean AND old.llm_base_url IS NOT DISTINCT FROM $2 THEN old.llm_key_enc ELSE $4::bytea END
            FROM (SELECT id, llm_base_url, llm_key_enc FROM organisations WHERE id = $1 FOR UPDATE) old
            WHERE o.id = old.id
            RETURNING ($5::boolean AND old.llm_key_enc IS NOT NULL AND old.llm_base_url IS DISTINCT FROM $2) AS key_cleared
            """, [organisationID, baseURL, model, sealedKey.map(PGArray.byteaHex), keepKey ? "true" : "false"],
            name: "organisations.llm.set"
        ).first?.bool("key_cleared") ?? false
    }
}
