import ScribeCore

/// Generated pages in the database: contents stored once per SHA-256 (`page_contents`), indexed per job
/// (`doc_pages`). Any host serves any page from here; a host keeps only a cache of files (SPEC §8).
public struct PageStore {
    public let db: Connection
    public init(_ db: Connection) { self.db = db }

    /// Completions hold this lock shared and the removal of unreferenced contents holds it alone, so a content
    /// found present by a completing job cannot be removed before that job's index row refers to it.
    static let contentsLock = "727276"

    /// One page's bytes and their SHA-256 (lower-case hex), as the database checks them.
    public struct Content: Sendable {
        public let hash: String
        public let bytes: [UInt8]
        public init(hash: String, bytes: [UInt8]) {
            self.hash = hash
            self.bytes = bytes
        }
    }

    // MARK: Writing

    /// Stores the contents the database does not hold yet. Runs inside the completing transaction.
    func store(_ contents: [Content]) throws {
        guard !contents.isEmpty else { return }
        try db.query("SELECT pg_advisory_xact_lock_shared(\(Self.contentsLock))", name: "pages.contents-lock")
        let present = Set(
            try db.query(
                "SELECT hash FROM page_contents WHERE hash = ANY($1::text[])", [PGArray.text(contents.map(\.hash))],
                name: "pages.present"
            ).rows.compactMap { $0.string("hash") })
        var seen = present
        var batch: [Content] = []
        var batchBytes = 0
        func flush() throws {
            guard !batch.isEmpty else { return }
            try db.query(
                """
                INSERT INTO page_contents (hash, size, content)
                SELECT h, octet_length(c), c FROM (SELECT h, decode(x, 'hex') AS c FROM unnest($1::text[], $2::text[]) AS u(h, x)) s
                ON CONFLICT (hash) DO NOTHING
                """, [PGArray.text(batch.map(\.hash)), PGArray.text(batch.map { Self.hex($0.bytes) })], name: "pages.contents-insert")
            batch.removeAll()
            batchBytes = 0
        }
        for c in contents where !seen.contains(c.hash) {
            seen.insert(c.hash)
            batch.append(c)
            batchBytes += c.bytes.count
            // A few MiB per statement: large sets go in several, none holds the whole set twice in memory.
            if batchBytes > 4 << 20 { try flush() }
        }
        try flush()
    }

    /// Indexes a job's pages (with the hash and size of each content). Runs inside the completing transaction.
    func index(jobID: String, pages: [LeaseStore.PageRecord]) throws {
        try db.query("DELETE FROM doc_pages WHERE job_id = $1", [jobID], name: "pages.clear")
        guard !pages.isEmpty else { return }
        try db.query(
            """
            INSERT INTO doc_pages (job_id, path, title, kind, module, content_type, content_hash, size)
            SELECT $1, p, t, k, nullif(m, ''), c, nullif(h, ''), nullif(s, '')::int
            FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS x(p, t, k, m, c, h, s)
            """,
            [
                jobID, PGArray.text(pages.map(\.path)), PGArray.text(pages.map(\.title)), PGArray.text(pages.map(\.kind)),
                PGArray.text(pages.map { $0.module ?? "" }), PGArray.text(pages.map(\.contentType)),
                PGArray.text(pages.map { $0.contentHash ?? "" }), PGArray.text(pages.map { $0.size.map(String.init) ?? "" }),
            ], name: "pages.insert")
    }

    // MARK: Reading

    /// A page as the API serves it. `hash` is nil for a page written before pages moved into the database
    /// and not imported yet: it is read from `docsPath` on the disk of the host that wrote it.
    public struct Served: Sendable {
        public let jobID: String
        public let docsPath: String
        public let contentType: String
        public let hash: String?
        public let size: Int?
    }

    public enum Lookup: Sendable {
        case noRepository
        case noDocumentation
        case noPage
        case page(Served)
    }

    /// The page `path` of the documentation a repository of the organisation points at: one round trip,
    /// which also says which of repository, documentation and page is missing.
    public func lookup(repositoryID: String, organisationID: String, path: String) throws -> Lookup {
        guard let r = try db.query(
            """
            SELECT j.id AS job_id, j.docs_path, p.path, p.content_type, p.content_hash, p.size
            FROM repositories r
            LEFT JOIN jobs j ON j.id = r.docs_job_id AND j.docs_path IS NOT NULL
            LEFT JOIN doc_pages p ON p.job_id = j.id AND p.path = $3
            WHERE r.id = $1 AND r.organisation_id = $2
            """, [repositoryID, organisationID, path], name: "pages.lookup"
        ).first else { return .noRepository }
        guard let job = r.string("job_id"), let docsPath = r.string("docs_path") else { return .noDocumentation }
        guard r.string("path") != nil else { return .noPage }
        return .page(
            Served(
                jobID: job, docsPath: docsPath, contentType: r.string("content_type") ?? "application/octet-stream",
                hash: r.string("content_hash"), size: r.int("size")))
    }

    /// The bytes stored under a hash, or nil when no page refers to it any more.
    public func content(hash: String) throws -> [UInt8]? {
        try db.query("SELECT content FROM page_contents WHERE hash = $1", [hash], name: "pages.content").first?.bytes("content")
    }

    /// A page of a job, when the database holds its bytes.
    public func content(jobID: String, path: String) throws -> [UInt8]? {
        try db.query(
            """
            SELECT c.content FROM doc_pages p JOIN page_contents c ON c.hash = p.content_hash
            WHERE p.job_id = $1 AND p.path = $2
            """, [jobID, path], name: "pages.job-content"
        ).first?.bytes("content")
    }

    /// The same page of several jobs, by job id (jobs without it are left out).
    public func contents(jobIDs: [String], path: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for r in try db.query(
            """
            SELECT p.job_id, c.content FROM doc_pages p JOIN page_contents c ON c.hash = p.content_hash
            WHERE p.job_id = ANY($1::uuid[]) AND p.path = $2
            """, [PGArray.text(jobIDs), path], name: "pages.jobs-content"
        ).rows {
            if let id = r.string("job_id"), let bytes = r.bytes("content") { out[id] = bytes }
        }
        return out
    }

    /// A page of the documentation the repository points at (reused for a module that did not change).
    public func currentContent(repositoryID: String, path: String) throws -> [UInt8]? {
        try db.query(
            """
            SELECT c.content FROM repositories r
            JOIN doc_pages p ON p.job_id = r.docs_job_id AND p.path = $2
            JOIN page_contents c ON c.hash = p.content_hash
            WHERE r.id = $1
            """, [repositoryID, path], name: "pages.current-content"
        ).first?.bytes("content")
    }

    /// A job's pages with their hashes (nil: not in the database yet), for export and import.
    public func entries(jobID: String) throws -> [(path: String, hash: String?)] {
        try db.query("SELECT path, content_hash FROM doc_pages WHERE job_id = $1 ORDER BY path", [jobID], name: "pages.entries")
            .rows.compactMap { r in r.string("path").map { (path: $0, hash: r.string("content_hash")) } }
    }

    // MARK: Retention

    public struct Pruned: Sendable {
        /// Jobs whose pages were removed.
        public let jobs: [String]
        /// Contents no page refers to any more, removed.
        public let contents: Int
    }

    /// Keeps, per repository, the pages of its `keep` newest completed jobs and of the job it points at;
    /// removes the others' pages (the jobs stay, with `docs_path` cleared) and every content no page uses.
    public func prune(keep: Int) throws -> Pruned {
        try db.withTransaction {
            let jobs = try db.query(
                """
                WITH ranked AS (
                    SELECT id, row_number() OVER (PARTITION BY repository_id ORDER BY finished_at DESC, id DESC) AS n
                    FROM jobs WHERE status = 'completed' AND docs_path IS NOT NULL
                ),
                old AS (
                    SELECT ranked.id FROM ranked
                    WHERE n > $1 AND NOT EXISTS (SELECT 1 FROM repositories r WHERE r.docs_job_id = ranked.id)
                ),
                gone AS (DELETE FROM doc_pages p USING old WHERE p.job_id = old.id)
                UPDATE jobs SET docs_path = NULL FROM old WHERE jobs.id = old.id RETURNING jobs.id
                """, [String(max(keep, 0))], name: "pages.prune"
            ).rows.compactMap { $0.string("id") }
            try db.query("SELECT pg_advisory_xact_lock(\(Self.contentsLock))", name: "pages.contents-lock")
            let contents = try db.query(
                """
                DELETE FROM page_contents c WHERE NOT EXISTS (SELECT 1 FROM doc_pages p WHERE p.content_hash = c.hash)
                """, name: "pages.contents-prune"
            ).affected
            return Pruned(jobs: jobs, contents: contents)
        }
    }

    /// Of these hashes, those the database no longer holds: a host removes their files from its cache.
    public func absent(hashes: [String]) throws -> [String] {
        guard !hashes.isEmpty else { return [] }
        return try db.query(
            "SELECT h FROM unnest($1::text[]) AS x(h) WHERE NOT EXISTS (SELECT 1 FROM page_contents c WHERE c.hash = x.h)",
            [PGArray.text(hashes)], name: "pages.absent"
        ).rows.compactMap { $0.string("h") }
    }

    // MARK: Pages written before they moved into the database

    /// Folders (`<repository>/<job>` under the data folder's `docs/`) of pages not yet in the database.
    public func legacyFolders() throws -> [String] {
        try db.query(
            """
            SELECT DISTINCT j.docs_path FROM doc_pages p JOIN jobs j ON j.id = p.job_id
            WHERE p.content_hash IS NULL AND j.docs_path IS NOT NULL ORDER BY 1
            """, name: "pages.legacy-folders"
        ).rows.compactMap { $0.string("docs_path") }
    }

    /// The pages of jobs showing `docsPath` that are not in the database yet.
    public func legacyPages(docsPath: String) throws -> [String] {
        try db.query(
            """
            SELECT DISTINCT p.path FROM doc_pages p JOIN jobs j ON j.id = p.job_id
            WHERE j.docs_path = $1 AND p.content_hash IS NULL ORDER BY 1
            """, [docsPath], name: "pages.legacy-pages"
        ).rows.compactMap { $0.string("path") }
    }

    /// Moves one folder's pages into the database in one transaction: every job showing it gets the hashes.
    public func attach(docsPath: String, contents: [String: Content]) throws -> Int {
        try db.withTransaction {
            try store(Array(contents.values))
            let items = contents.sorted { $0.key < $1.key }
            return try db.query(
                """
                UPDATE doc_pages p SET content_hash = x.h, size = x.s::int
                FROM unnest($2::text[], $3::text[], $4::text[]) AS x(path, h, s), jobs j
                WHERE j.docs_path = $1 AND p.job_id = j.id AND p.path = x.path AND p.content_hash IS NULL
                """,
                [
                    docsPath, PGArray.text(items.map(\.key)), PGArray.text(items.map(\.value.hash)),
                    PGArray.text(items.map { String($0.value.bytes.count) }),
                ], name: "pages.attach"
            ).affected
        }
    }

    /// Of these folders (`<repository>/<job>`), those whose pages all are in the database or gone, and whose
    /// job is not active (a worker of an earlier release may still be writing one): the folder can go.
    public func foldersNoLongerNeeded(_ docsPaths: [String]) throws -> [String] {
        guard !docsPaths.isEmpty else { return [] }
        return try db.query(
            """
            SELECT x.d FROM unnest($1::text[]) AS x(d)
            WHERE NOT EXISTS (SELECT 1 FROM jobs j JOIN doc_pages p ON p.job_id = j.id
                              WHERE j.docs_path = x.d AND p.content_hash IS NULL)
              AND NOT EXISTS (SELECT 1 FROM jobs a WHERE a.id::text = split_part(x.d, '/', 2)
                              AND a.status IN ('queued', 'running', 'paused'))
            """, [PGArray.text(docsPaths)], name: "pages.folders-done"
        ).rows.compactMap { $0.string("d") }
    }

    // MARK: Helpers

    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex, for `decode(…, 'hex')`: bytes travel as text parameters.
    static func hex(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: bytes.count * 2)
        for (i, b) in bytes.enumerated() {
            out[2 * i] = digits[Int(b >> 4)]
            out[2 * i + 1] = digits[Int(b & 0x0f)]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
