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
        return .json(
            200,
            .object([
                ("repository_id", .string(repo.id)), ("status", .string(job?.state.docsStatus ?? "idle")),
                ("progress", .num(job?.progress ?? 0)), ("current_step", .str(job?.currentStep)),
                ("error_message", .str(job?.errorMessage)),
                ("generation_started_at", .str(job.map { $0.startedAt ?? $0.createdAt })), ("job_id", .str(job?.id)),
            ]))
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
        return .json(
            200,
            .object([
                ("repository_id", .string(repo.id)), ("job_id", .string(set.jobID)), ("commit", .str(set.commit)),
                ("generated_at", .str(set.generatedAt)), ("pages", .array(kept.map(\.json))), ("next", next),
            ]))
    }

    /// A generated page: Scribe checks access and the docs index, nginx sends the file (X-Accel-Redirect).
    /// Only paths present in the index are served, so no request can reach another file.
    func getPage(_ c: Context, _ id: String, _ path: String) throws -> HTTPResponse {
        let repo = try repository(c, id)
        let store = RepositoryStore(try c.db())
        guard let set = try store.docSet(repositoryID: repo.id), let page = try store.page(jobID: set.jobID, path: path) else {
            throw APIError(404, "Page not found")
        }
        let headers: [(String, String)] = [
            ("Content-Type", page.contentType), ("Cache-Control", "private, max-age=60"),
            ("ETag", "\"\(set.jobID)\""), ("X-Content-Type-Options", "nosniff"),
        ]
        if c.request.ifNoneMatch("\"\(set.jobID)\"") {
            return HTTPResponse(status: 304, headers: headers)
        }
        if config.accelRedirect {
            return HTTPResponse(status: 200, headers: headers + [("X-Accel-Redirect", "/_scribe_docs/\(set.docsPath)/\(path)")])
        }
        let file = "\(config.dataDir)/docs/\(set.docsPath)/\(path)"
        guard let data = FileManager.default.contents(atPath: file) else { throw APIError(404, "Page not found") }
        return HTTPResponse(status: 200, headers: headers, body: Array(data))
    }
}
