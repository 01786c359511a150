import ScribeCore

/// Repositories and the index of their generated pages.
public struct RepositoryStore {
    public let db: Connection
    public init(_ db: Connection) { self.db = db }

    public struct Repository: Sendable {
        public let id: String
        public let organisationID: String
        public let url: String
        public let branch: String?
        public let name: String
        public let githubSlug: String?
        public let description: String?
        public let defaultBranch: String?
        public let createdBy: String?
        public let createdAt: String
        public let docsJobID: String?
        /// The latest job, when there is one.
        public let lastJobID: String?
        public let lastJobStatus: JobState?
        public let lastJobProgress: Int?
        /// What the page says of freshness: the documented commit and the newest one known of the branch.
        public var freshness = Freshness()
        public var pushSecretSet = false

        public var json: JSONValue {
            let status = lastJobStatus?.rawValue ?? "idle"
            let active = (lastJobStatus?.isActive ?? false) ? lastJobID : nil
            let fields: [(String, JSONValue)] = [
                ("id", .string(id)), ("url", .string(url)), ("branch", .str(branch)), ("name", .string(name)),
                ("description", .str(description)), ("default_branch", .str(defaultBranch)),
                ("created_at", .string(createdAt)), ("status", .string(status)),
                ("docs_status", .string(lastJobStatus?.docsStatus ?? "idle")), ("active_job_id", .str(active)),
                ("last_job_id", .str(lastJobID)), ("progress", .num(lastJobProgress)),
                ("has_docs", .bool(docsJobID != nil)), ("push_secret_set", .bool(pushSecretSet)),
            ]
            return .object(fields + freshness.fields)
        }
    }

    static let select = """
        SELECT r.id, r.organisation_id, r.url, r.branch, r.name, r.github_slug, r.description, r.default_branch,
               r.created_by, scribe_ts(r.created_at) AS created_at, r.docs_job_id,
               j.id AS last_job_id, j.status AS last_job_status, j.progress AS last_job_progress,
               r.push_secret_enc IS NOT NULL AS push_secret_set, \(freshnessColumns)
        FROM repositories r
        LEFT JOIN jobs d ON d.id = r.docs_job_id
        LEFT JOIN LATERAL (
            SELECT id, status, progress FROM jobs WHERE repository_id = r.id ORDER BY created_at DESC, id DESC LIMIT 1
        ) j ON true
        """

    /// A missing required column or an unknown status is an error, never an empty default.
    static func repository(_ r: Row) throws -> Repository {
        Repository(
            id: try r.required("id"), organisationID: try r.required("organisation_id"), url: try r.required("url"),
            branch: r.string("branch"), name: try r.required("name"), githubSlug: r.string("github_slug"),
            description: r.string("description"), defaultBranch: r.string("default_branch"),
            createdBy: r.string("created_by"), createdAt: try r.required("created_at"), docsJobID: r.string("docs_job_id"),
            lastJobID: r.string("last_job_id"), lastJobStatus: try r.optionalValue("last_job_status"),
            lastJobProgress: r.int("last_job_progress"), freshness: freshness(r), pushSecretSet: r.bool("push_secret_set"))
    }

    /// The documented commit and the newest known head of the branch (from a push or `scribe poll`). Stale when
    /// they differ and the head was seen after the documented job started (so it is not older than what that
    /// job resolved), or the documented job was pinned to its commit. Needs `d` joined as the docs job.
    static let freshnessColumns = """
        d.resolved_commit AS docs_commit, r.remote_commit, scribe_ts(r.remote_commit_at) AS remote_commit_at,
        (r.remote_commit IS NOT NULL AND d.resolved_commit IS NOT NULL AND r.remote_commit <> d.resolved_commit
         AND (r.remote_commit_at > coalesce(d.started_at, d.created_at) OR d.options ? 'commit')) AS stale
        """

    static func freshness(_ r: Row) -> Freshness {
        Freshness(
            commit: r.string("docs_commit"), remoteCommit: r.string("remote_commit"), remoteSeenAt: r.string("remote_commit_at"),
            stale: r.bool("stale"))
    }

    public enum CreateOutcome {
        case created(Repository)
        case exists(Repository)
    }

    /// Registers a repository; registering the same URL and branch again returns the existing one.
    public func create(organisationID: String, url: String, branch: String?, name: String, githubSlug: String?, createdBy: String?)
        throws -> CreateOutcome
    {
        let inserted = try db.query(
            """
            INSERT INTO repositories (organisation_id, url, branch, name, github_slug, created_by)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (organisation_id, url, coalesce(branch, '')) DO NOTHING
            RETURNING id
            """, [organisationID, url, branch, name, githubSlug, createdBy], name: "repositories.create"
        ).first?.string("id")
        if let inserted, let repo = try get(id: inserted, organisationID: organisationID) { return .created(repo) }
        let existing = try db.query(
            "\(Self.select) WHERE r.organisation_id = $1 AND r.url = $2 AND coalesce(r.branch, '') = coalesce($3, '')",
            [organisationID, url, branch], name: "repositories.find"
        ).first.map(Self.repository)
        guard let existing else {
            throw PGError(sqlState: nil, message: "repository vanished", statement: "repositories.create", constraint: nil)
        }
        return .exists(existing)
    }

    public func get(id: String, organisationID: String? = nil) throws -> Repository? {
        try db.query(
            "\(Self.select) WHERE r.id = $1 AND ($2::uuid IS NULL OR r.organisation_id = $2::uuid)", [id, organisationID],
            name: "repositories.get"
        ).first.map(Self.repository)
    }

    /// `q` as a LIKE prefix pattern: lower-cased, its wildcards escaped (the default escape is `\\`).
    static func prefixPattern(_ q: String) -> String {
        var out = ""
        for ch in q.lowercased() {
            if ch == "\\" || ch == "%" || ch == "_" { out.append("\\") }
            out.append(ch)
        }
        return out + "%"
    }

    /// A page of the organisation's repositories, oldest first, after the (created_at, id) of the previous
    /// page's last one, served by `repositories_by_organisation` without a sort. `q` keeps those whose name
    /// or URL starts with it (case-insensitive; the URL also without its scheme).
    /// `newestFirst` walks the same index backwards.
    static func listStatement(
        organisationID: String, q: String?, limit: Int, after: (at: String, id: String)?, newestFirst: Bool = false
    ) -> Statement {
        var sql = "\(select) WHERE r.organisation_id = $1"
        var params: [String?] = [organisationID]
        var name = "repositories.list"
        if let q, !q.isEmpty {
            params.append(prefixPattern(q))
            let p = "$\(params.count)"
            sql += " AND (lower(r.name) LIKE \(p) OR lower(r.url) LIKE \(p) OR lower(r.url) LIKE '%://' || \(p))"
            name += ".q"
        }
        if let after {
            params += [after.at, after.id]
            sql += " AND (r.created_at, r.id) \(newestFirst ? "<" : ">") ($\(params.count - 1)::timestamptz, $\(params.count)::uuid)"
            name += ".after"
        }
        params.append(String(limit))
        sql += newestFirst
            ? " ORDER BY r.created_at DESC, r.id DESC LIMIT $\(params.count)" : " ORDER BY r.created_at, r.id LIMIT $\(params.count)"
        return Statement(sql, params, name: newestFirst ? name + ".newest" : name)
    }

    public func list(
        organisationID: String, q: String? = nil, limit: Int, after: (at: String, id: String)? = nil, newestFirst: Bool = false
    ) throws -> [Repository] {
        try db.query(
            Self.listStatement(organisationID: organisationID, q: q, limit: limit, after: after, newestFirst: newestFirst)
        ).rows.map(Self.repository)
    }

    // MARK: Pages

    public struct Page: Sendable {
        public let path: String
        public let title: String
        public let kind: String
        public let module: String?
        public let contentType: String

        public var json: JSONValue {
            .object([("path", .string(path)), ("title", .string(title)), ("kind", .string(kind)), ("module", .str(module)),
                     ("content_type", .string(contentType))])
        }
    }

    public struct DocSet: Sendable {
        public let jobID: String
        public let docsPath: String
        public let commit: String?
        public let generatedAt: String?
        public var freshness = Freshness()
    }

    /// The documentation currently shown for a repository: its latest completed job's pages.
    public func docSet(repositoryID: String) throws -> DocSet? {
        guard let r = try db.query(
            """
            SELECT d.id, d.docs_path, d.resolved_commit, scribe_ts(d.finished_at) AS finished_at, \(Self.freshnessColumns)
            FROM repositories r JOIN jobs d ON d.id = r.docs_job_id
            WHERE r.id = $1 AND d.docs_path IS NOT NULL
            """, [repositoryID], name: "pages.docset"
        ).first, let job = r.string("id"), let path = r.string("docs_path") else { return nil }
        return DocSet(
            jobID: job, docsPath: path, commit: r.string("resolved_commit"), generatedAt: r.string("finished_at"),
            freshness: Self.freshness(r))
    }

    /// A page of the docs index: the overview first, then by path, after the previous page's last entry
    /// (`doc_pages_in_order` serves the order).
    static func pagesStatement(jobID: String, limit: Int, after: (overviewLast: Bool, path: String)?) -> Statement {
        var sql = "SELECT path, title, kind, module, content_type FROM doc_pages WHERE job_id = $1"
        var params: [String?] = [jobID]
        if let after {
            params += [after.overviewLast ? "true" : "false", after.path]
            sql += " AND (kind <> 'overview', path) > ($2::boolean, $3)"
        }
        params.append(String(limit))
        sql += " ORDER BY kind <> 'overview', path LIMIT $\(params.count)"
        return Statement(sql, params, name: after == nil ? "pages.list" : "pages.list.after")
    }

    public func pages(jobID: String, limit: Int = 10_000, after: (overviewLast: Bool, path: String)? = nil) throws -> [Page] {
        try db.query(Self.pagesStatement(jobID: jobID, limit: limit, after: after)).rows.map(Self.page)
    }

    static func page(_ r: Row) throws -> Page {
        Page(
            path: try r.required("path"), title: try r.required("title"), kind: try r.required("kind"),
            module: r.string("module"), contentType: try r.required("content_type"))
    }

    public func page(jobID: String, path: String) throws -> Page? {
        try db.query(
            "SELECT path, title, kind, module, content_type FROM doc_pages WHERE job_id = $1 AND path = $2", [jobID, path],
            name: "pages.get"
        ).first.map(Self.page)
    }
}
