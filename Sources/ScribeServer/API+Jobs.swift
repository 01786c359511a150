import Foundation
import ScribeCore
import ScribeStore

extension API {
    private func requireRepositoryID(_ body: JSONValue) throws -> String {
        guard let v = body["repository_id"], !v.isNull else { throw APIError.missingField("repository_id") }
        guard let s = v.stringValue, Router.isUUID(s) else { throw APIError.badField("repository_id", "expected a repository id") }
        return s.lowercased()
    }

    private func inProgress(_ repoID: String, _ jobID: String?) -> APIError {
        APIError(
            409, Messages.alreadyInProgress,
            extra: [("repository_id", .string(repoID)), ("status", .string("generating")), ("job_id", .str(jobID))])
    }

    /// Seconds a client is told to wait when its organisation is at its cap of active jobs.
    static let activeLimitRetryAfter = 30

    /// Runs `body`, answering 429 with `Retry-After` when it would take the organisation over its cap of
    /// active jobs (`SCRIBE_MAX_ACTIVE_JOBS_PER_ORG`).
    private func underActiveLimit(_ body: () throws -> HTTPResponse) throws -> HTTPResponse {
        do {
            return try body()
        } catch let e as JobStore.ActiveJobLimitReached {
            return .error(
                APIError(
                    429,
                    "Your organisation has \(e.limit) active jobs, the most allowed at once; try again when one has finished"),
                headers: [("Retry-After", String(API.activeLimitRetryAfter))])
        }
    }

    /// The seeds' endpoint, contract kept as is.
    func generateDocs(_ c: Context) throws -> HTTPResponse {
        try underActiveLimit { try generateDocsNow(c) }
    }

    private func generateDocsNow(_ c: Context) throws -> HTTPResponse {
        let repoID = try requireRepositoryID(try c.jsonObject())
        let repo = try repository(c, repoID)
        switch try JobStore(try c.db()).create(
            organisationID: c.org, repositoryID: repo.id, options: JobOptions(), triggeredBy: c.userID,
            activeLimit: config.maxActiveJobsPerOrganisation)
        {
        case .conflict(let active): throw inProgress(repo.id, active)
        case .created(let job):
            return .json(
                202,
                .object([
                    ("success", .bool(true)), ("message", .string(Messages.started)),
                    ("data", .object([("repository_id", .string(repo.id)), ("status", .string("generating")), ("job_id", .string(job.id))])),
                ]), headers: [("Location", "/api/documentation/jobs/\(job.id)")])
        }
    }

    func createJob(_ c: Context) throws -> HTTPResponse {
        try underActiveLimit { try createJobNow(c) }
    }

    /// Priority orders jobs within an organisation only (claims are fair across organisations); raising it
    /// above the default needs an administrator, and it has a maximum.
    private func checkPriority(_ c: Context, _ priority: Int) throws {
        guard priority > 0 else { return }
        guard priority <= config.maxPriority else { throw APIError.badField("priority", "expected at most \(config.maxPriority)") }
        guard c.principal?.isAdmin == true else {
            throw APIError(403, "Only an administrator can raise a job's priority above the default (0)")
        }
    }

    private func createJobNow(_ c: Context) throws -> HTTPResponse {
        let body = try c.jsonObject()
        let repoID = try requireRepositoryID(body)
        var options: JobOptions
        switch JobOptions.parse(body["options"]) {
        case .success(let o): options = o
        case .failure(let e): throw e
        }
        try checkPriority(c, options.priority)
        let repo = try repository(c, repoID)
        if options.branch == nil { options.branch = repo.branch }
        return try enqueue(c, repositoryID: repo.id, options: options)
    }

    /// Inserts a queued job and answers 202 with it (409 while the repository has an active job).
    private func enqueue(_ c: Context, repositoryID: String, options: JobOptions) throws -> HTTPResponse {
        switch try JobStore(try c.db()).create(
            organisationID: c.org, repositoryID: repositoryID, options: options, triggeredBy: c.userID,
            activeLimit: config.maxActiveJobsPerOrganisation)
        {
        case .conflict(let active): throw inProgress(repositoryID, active)
        case .created(let job):
            versions.notified(job.id, .init(version: job.version, organisationID: job.organisationID))
            return .json(202, rendered(job, c), headers: [("ETag", job.etag), ("Location", "/api/documentation/jobs/\(job.id)")])
        }
    }

    /// A partial job has ended completed, so its retry is a new job with its options: the modules it
    /// documented are reused by fingerprint and only the failed ones are generated again (a partial job
    /// never serves the cache). Answers 202 with the new job.
    private func retryFailedModules(_ c: Context, _ partial: Job, budget: Double?) throws -> HTTPResponse {
        var options = (try? JobOptions.parse(partial.options).get()) ?? JobOptions()
        options.regenerateAll = false
        options.skipExisting = false
        if let budget { options.budgetUSD = budget }
        return try enqueue(c, repositoryID: partial.repositoryID, options: options)
    }

    func listJobs(_ c: Context) throws -> HTTPResponse {
        let q = c.request.query
        var status: String? = nil
        if let s = q["status"], !s.isEmpty {
            guard JobState(rawValue: s) != nil else {
                throw APIError.badField("status", "expected one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = s
        }
        var repo: String? = nil
        if let r = q["repository_id"], !r.isEmpty {
            guard Router.isUUID(r) else { throw APIError.badField("repository_id", "expected a repository id") }
            repo = r.lowercased()
        }
        let limit = try pageLimit(c, default: 50, max: 200)
        // `before` is the `next` of the previous page; a bare timestamp (the first API's `next_before`) still works.
        var before: (at: String, id: String?)? = nil
        if let b = q["before"], !b.isEmpty, b.utf8.count <= 40, API.isTimestamp(b) {
            before = (b, nil)
        } else if let cursor = try pageCursor(c, "before", .jobs, valid: API.isTimeAndID) {
            before = (cursor.key[0], cursor.key[1].lowercased())
        }
        let jobs = try JobStore(try c.db()).list(
            organisationID: c.org, status: status, repositoryID: repo, limit: limit + 1, before: before)
        let (kept, next) = API.page(jobs, limit: limit) { PageCursor.timeAndID(.jobs, at: $0.createdAt, id: $0.id) }
        prefetchCoverage(kept, c)
        return .json(200, .object([("jobs", .array(kept.map { rendered($0, c) })), ("next", next), ("next_before", next)]))
    }

    /// The polling hot path. While the version cache trusts a job's version (its listener is up): a current
    /// ETag is answered 304, and a request without one gets the rendered copy of that version, both from
    /// memory. Otherwise one query, whose answer is kept for the next poll.
    func getJob(_ c: Context, _ id: String) throws -> HTTPResponse {
        if let entry = versions.lookup(id), entry.organisationID == c.org {
            let etag = Job.etag(id: id, version: entry.version)
            if c.request.ifNoneMatch(etag) { return HTTPResponse(status: 304, headers: [("ETag", etag), ("Cache-Control", "no-cache")]) }
            if let body = entry.rendered { return API.jobAnswer(body, etag: etag) }
        }
        let generation = versions.currentGeneration
        guard let job = try JobStore(try c.db()).get(id: id, organisationID: c.org) else { throw APIError(404, "Job not found") }
        let answer = HTTPResponse.json(200, rendered(job, c), headers: [("ETag", job.etag)]).withCache("no-cache")
        versions.store(
            id, .init(version: job.version, organisationID: job.organisationID, rendered: answer.body), readInGeneration: generation)
        if c.request.ifNoneMatch(job.etag) {
            return HTTPResponse(status: 304, headers: [("ETag", job.etag), ("Cache-Control", "no-cache")])
        }
        return answer
    }

    /// A job's 200 answer from its rendered body: the same headers as `HTTPResponse.json` gives it.
    static func jobAnswer(_ body: [UInt8], etag: String) -> HTTPResponse {
        HTTPResponse(
            status: 200,
            headers: [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-cache"), ("ETag", etag)],
            body: body)
    }

    private func job(_ c: Context, _ id: String) throws -> Job {
        guard let job = try JobStore(try c.db()).get(id: id, organisationID: c.org) else { throw APIError(404, "Job not found") }
        return job
    }

    func jobEvents(_ c: Context, _ id: String) throws -> HTTPResponse {
        _ = try job(c, id)
        var after: Int64 = 0
        if let a = c.request.query["after"], !a.isEmpty {
            guard let n = Int64(a), n >= 0 else { throw APIError.badField("after", "expected a sequence number") }
            after = n
        }
        let limit = try pageLimit(c, default: 500, max: 1000)
        let events = try EventStore(try c.db()).events(jobID: id, after: after, limit: limit + 1)
        let kept = Array(events.prefix(limit))
        let last = kept.last?["seq"]?.intValue ?? after
        let next: JSONValue = events.count > limit ? .string(String(last)) : .null
        return .json(200, .object([("events", .array(kept)), ("next", next), ("next_after", .int(last))]))
    }

    func jobObjects(_ c: Context, _ id: String) throws -> HTTPResponse {
        _ = try job(c, id)
        let limit = try pageLimit(c, default: 1000, max: 1000)
        let cursor = try pageCursor(c, "after", .objects) { $0.count == 2 && Int32($0[0]) != nil }
        let objects = try EventStore(try c.db()).objects(
            jobID: id, limit: limit + 1, after: cursor.map { (Int($0.key[0]) ?? 0, $0.key[1]) })
        let (kept, next) = API.page(objects, limit: limit) {
            PageCursor(.objects, [String($0.position), $0.json["path"]?.stringValue ?? ""])
        }
        return .json(200, .object([("objects", .array(kept.map(\.json))), ("next", next)]))
    }

    func control(_ c: Context, _ id: String, _ event: JobEvent) throws -> HTTPResponse {
        try underActiveLimit { try controlNow(c, id, event) }
    }

    private func controlNow(_ c: Context, _ id: String, _ event: JobEvent) throws -> HTTPResponse {
        let store = JobStore(try c.db())
        var updated: Job?
        switch event {
        case .pause, .resume, .cancel: updated = try store.request(event, id: id, organisationID: c.org)
        case .retry:
            var regenerate = false
            var budget: Double? = nil
            if !c.request.body.isEmpty {
                let body = try c.jsonObject()
                if let r = body["regenerate_all"], !r.isNull {
                    guard let b = r.boolValue else { throw APIError.badField("regenerate_all", "expected true or false") }
                    regenerate = b
                }
                if let r = body["budget_usd"], !r.isNull {
                    guard let d = r.doubleValue, d > 0, d < 1_000_000 else { throw APIError.badField("budget_usd", "expected a positive amount") }
                    budget = d
                }
            }
            switch try store.retry(
                id: id, organisationID: c.org, regenerateAll: regenerate, budgetUSD: budget,
                activeLimit: config.maxActiveJobsPerOrganisation)
            {
            case .retried(let j): updated = j
            case .refused:
                let current = try job(c, id)
                if current.isPartial && !regenerate { return try retryFailedModules(c, current, budget: budget) }
                updated = nil
            case .conflict(let active):
                let current = try job(c, id)
                throw inProgress(current.repositoryID, active)
            }
        default: throw APIError.notFound
        }
        if let updated {
            // The caller must see its own change at once: the NOTIFY may arrive a few milliseconds later.
            versions.notified(updated.id, .init(version: updated.version, organisationID: updated.organisationID))
            return .json(200, rendered(updated, c), headers: [("ETag", updated.etag)])
        }
        let current = try job(c, id)  // 404 for unknown or foreign jobs
        throw APIError(409, JobTransitions.refusal(event, in: current.state), extra: [("status", .string(current.state.rawValue))])
    }
}

extension API {
    /// A job as the API shows it: its stored fields and the documentation coverage its pages record
    /// (`coverage.json` among them, stored once when the job completes, so the ETag still covers it).
    func rendered(_ job: Job, _ c: Context) -> JSONValue {
        guard case .object(var pairs) = job.json else { return job.json }
        pairs.append(("coverage", coverage(of: job, c)))
        return .object(pairs)
    }

    /// The coverage of a page of jobs in one query, instead of one per job.
    private func prefetchCoverage(_ jobs: [Job], _ c: Context) {
        let wanted = jobs.filter { $0.state == .completed && $0.docsPath != nil && coverages.get($0.id) == nil }.map(\.id)
        guard !wanted.isEmpty, let found = try? PageStore(try c.db()).contents(jobIDs: wanted, path: "coverage.json") else { return }
        for (id, bytes) in found {
            if let value = try? JSONValue.parse(bytes), value["percent"] != nil { coverages.put(id, value) }
        }
    }

    /// Read from the database once per job and process: a completed job's pages never change.
    private func coverage(of job: Job, _ c: Context) -> JSONValue {
        guard job.state == .completed, job.docsPath != nil else { return .null }
        if let known = coverages.get(job.id) { return known }
        guard let bytes = try? PageStore(try c.db()).content(jobID: job.id, path: "coverage.json"),
            let value = try? JSONValue.parse(bytes), value["percent"] != nil
        else { return .null }
        coverages.put(job.id, value)
        return value
    }
}

/// Coverage figures of completed jobs by job id, bounded like the token cache.
final class CoverageCache: @unchecked Sendable {
    // @unchecked: `entries` is read and written under `lock` only.
    private let lock = NSLock()
    private var entries: [String: JSONValue] = [:]

    func get(_ jobID: String) -> JSONValue? {
        lock.lock()
        defer { lock.unlock() }
        return entries[jobID]
    }

    func put(_ jobID: String, _ value: JSONValue) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count > 10_000 { entries.removeAll(keepingCapacity: true) }
        entries[jobID] = value
    }
}

extension HTTPResponse {
    func withCache(_ value: String) -> HTTPResponse {
        var r = self
        r.headers = r.headers.map { $0.0 == "Cache-Control" ? ($0.0, value) : $0 }
        return r
    }
}

extension API {
    /// RFC 3339 as the API writes it: `2026-11-22T15:06:50.053123Z` (fraction optional).
    static func isTimestamp(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count >= 20, u.last == UInt8(ascii: "Z") else { return false }
        let shape = Array("dddd-dd-ddTdd:dd:dd".utf8)
        for (i, c) in shape.enumerated() {
            let x = u[i]
            if c == UInt8(ascii: "d") { guard (48...57).contains(x) else { return false } } else if x != c { return false }
        }
        let rest = u[19..<(u.count - 1)]
        if rest.isEmpty { return true }
        guard rest.first == UInt8(ascii: "."), rest.count >= 2, rest.count <= 10 else { return false }
        return rest.dropFirst().allSatisfy { (48...57).contains($0) }
    }
}
