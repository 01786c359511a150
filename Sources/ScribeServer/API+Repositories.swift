import Foundation
import ScribeCore
import ScribeStore

extension API {
    /// A page of the organisation's repositories, oldest first (or newest with `order=newest`); `q` keeps those
    /// whose name or URL starts with it.
    func listRepositories(_ c: Context) throws -> HTTPResponse {
        let limit = try pageLimit(c, default: 100, max: 200)
        var q: String? = nil
        if let raw = c.request.query["q"] {
            let t = raw.trimmingCharacters(in: .whitespaces)
            guard t.utf8.count <= 200, !t.contains(where: { $0.isNewline }) else {
                throw APIError.badField("q", "expected at most 200 characters on one line")
            }
            q = t.isEmpty ? nil : t
        }
        var newest = false
        switch c.request.query["order"] ?? "" {
        case "", "oldest": newest = false
        case "newest": newest = true
        default: throw APIError.badField("order", "expected oldest or newest")
        }
        // A newest-first cursor carries the order, so it cannot be replayed on the other order.
        let after = try pageCursor(c, "after", .repositories) {
            newest ? ($0.count == 3 && $0[2] == "newest" && API.isTimeAndID(Array($0.prefix(2)))) : API.isTimeAndID($0)
        }
        let repos = try RepositoryStore(try c.db()).list(
            organisationID: c.org, q: q, limit: limit + 1, after: after.map { ($0.key[0], $0.key[1].lowercased()) },
            newestFirst: newest)
        let (kept, next) = API.page(repos, limit: limit) {
            PageCursor(.repositories, [$0.createdAt, $0.id] + (newest ? ["newest"] : []))
        }
        return .json(200, .object([("repositories", .array(kept.map(\.json))), ("next", next)]))
    }

    func createRepository(_ c: Context) throws -> HTTPResponse {
        let body = try c.jsonObject()
        guard let urlValue = body["url"], !urlValue.isNull else { throw APIError.missingField("url") }
        guard let raw = urlValue.stringValue else { throw APIError.badField("url", "expected a string") }
        var branch: String? = nil
        if let b = body["branch"], !b.isNull {
            guard let s = b.stringValue else { throw APIError.badField("branch", "expected a string") }
            let t = s.trimmingCharacters(in: .whitespaces)
            if !t.isEmpty {
                guard GitRef.isSafeBranch(t) else { throw APIError.badField("branch", "not a valid branch name") }
                branch = t
            }
        }
        let accepted: URLPolicy.Accepted
        switch policy.check(raw) {
        case .success(let a): accepted = a
        case .failure(let e): throw e
        }
        switch try RepositoryStore(try c.db()).create(
            organisationID: c.org, url: accepted.url, branch: branch, name: accepted.name, githubSlug: accepted.githubSlug,
            createdBy: c.userID)
        {
        case .created(let r): return .json(201, r.json, headers: [("Location", "/api/repositories/\(r.id)")])
        // No Location on a 200: CGI (Apache's mod_fcgid, mod_cgi) turns a 200 with a local Location into an
        // internal redirect, and the client would get the repository list instead of its repository.
        case .exists(let r): return .json(200, r.json)
        }
    }

    func repository(_ c: Context, _ id: String) throws -> RepositoryStore.Repository {
        // Another organisation's repository is 404, never 403: its existence is not disclosed.
        guard let r = try RepositoryStore(try c.db()).get(id: id, organisationID: c.org) else {
            throw APIError(404, "Repository not found")
        }
        return r
    }

    func getRepository(_ c: Context, _ id: String) throws -> HTTPResponse {
        .json(200, try repository(c, id).json)
    }

    /// The seeds' status endpoint: the latest job's state in their vocabulary.
    func repositoryDocs(_ c: Context, _ id: String) throws -> HTTPResponse {
        let repo = try repository(c, id)
        let job = try JobStore(try c.db()).latest(repositoryID: repo.id)
        let fields: [(String, JSONValue)] = [
            ("repository_id", .string(repo.id)), ("status", .string(job?.state.docsStatus ?? "idle")),
            ("progress", .num(job?.progress ?? 0)), ("current_step", .str(job?.currentStep)),
            ("error_message", .str(job?.errorMessage)),
            ("generation_started_at", .str(job.map { $0.startedAt ?? $0.createdAt })), ("job_id", .str(job?.id)),
        ]
        return .json(200, .object(fields + repo.freshness.fields))
    }

    func listPages(_ c: Context, _ id: String) throws -> HTTPResponse {
        let repo = try repository(c, id)
        let store = RepositoryStore(try c.db())
        guard let set = try store.docSet(repositoryID: repo.id) else {
            throw APIError(404, "No documentation has been generated for this repository yet")
        }
        let limit = try pageLimit(c, default: 1000, max: 1000)
        let after = try pageCursor(c, "after", .pages) { $0.count == 2 && ($0[0] == "0" || $0[0] == "1") }
        let pages = try store.pages(jobID: set.jobID, limit: limit + 1, after: after.map { ($0.key[0] == "1", $0.key[1]) })
        let (kept, next) = API.page(pages, limit: limit) { PageCursor(.pages, [$0.kind == "overview" ? "0" : "1", $0.path]) }
        let fields: [(String, JSONValue)] = [
            ("repository_id", .string(repo.id)), ("job_id", .string(set.jobID)), ("commit", .str(set.commit)),
            ("generated_at", .str(set.generatedAt)), ("pages", .array(kept.map(\.json))), ("next", next),
        ]
        return .json(200, .object(fields + set.freshness.fields))
    }

    /// A generated page: Scribe checks access and the docs index (one query), then nginx sends the file from
    /// this host's page cache (X-Accel-Redirect), filled from the database on the first read here. Only
    /// paths present in the index are served, so no request can reach another file. The ETag is the content's
    /// hash: the same on every host, and it changes only when the bytes do.
    func getPage(_ c: Context, _ id: String, _ path: String) throws -> HTTPResponse {
        let store = PageStore(try c.db())
        let page: PageStore.Served
        switch try store.lookup(repositoryID: id, organisationID: c.org, path: path) {
        case .noRepository: throw APIError(404, "Repository not found")
        case .noDocumentation, .noPage: throw APIError(404, "Page not found")
        case .page(let p): page = p
        }
        guard let hash = page.hash, let size = page.size else { return try legacyPage(c, page, path) }
        let etag = "\"\(hash)\""
        let headers: [(String, String)] = [
            ("Content-Type", page.contentType), ("Cache-Control", "private, max-age=60"), ("ETag", etag),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if c.request.ifNoneMatch(etag) { return HTTPResponse(status: 304, headers: headers) }
        var file = pages.path(hash: hash)
        if !pages.has(hash: hash, size: size) {
            // Gone since the lookup (retention removed it): the page no longer exists.
            guard let bytes = try store.content(hash: hash) else { throw APIError(404, "Page not found") }
            file = try pages.fill(hash: hash, bytes: bytes)
            if !config.accelRedirect { return HTTPResponse(status: 200, headers: headers, body: bytes) }
        }
        if config.accelRedirect {
            return HTTPResponse(status: 200, headers: headers + [("X-Accel-Redirect", "/_scribe_docs/\(PageCache.relativePath(hash: hash))")])
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw APIError(404, "Page not found") }
        return HTTPResponse(status: 200, headers: headers, body: Array(data))
    }

    /// A page written before pages moved into the database and not imported yet (`scribe pages import`): it
    /// is still on the disk of the host that wrote it, under its job's folder, and served from there.
    private func legacyPage(_ c: Context, _ page: PageStore.Served, _ path: String) throws -> HTTPResponse {
        let headers: [(String, String)] = [
            ("Content-Type", page.contentType), ("Cache-Control", "private, max-age=60"),
            ("ETag", "\"\(page.jobID)\""), ("X-Content-Type-Options", "nosniff"),
        ]
        if c.request.ifNoneMatch("\"\(page.jobID)\"") { return HTTPResponse(status: 304, headers: headers) }
        let file = "\(config.dataDir)/docs/\(page.docsPath)/\(path)"
        guard FileManager.default.fileExists(atPath: file) else { throw APIError(404, "Page not found") }
        if config.accelRedirect {
            return HTTPResponse(status: 200, headers: headers + [("X-Accel-Redirect", "/_scribe_docs/\(page.docsPath)/\(path)")])
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw APIError(404, "Page not found") }
        return HTTPResponse(status: 200, headers: headers, body: Array(data))
    }
}
