import Foundation
import ScribeCore
import ScribeCrypto
import ScribeNet
import ScribeStore

/// Pushes in: a repository's push-webhook secret, and GitHub's push webhook (`POST /api/hooks/github`).
extension API {
    /// The largest push payload read (GitHub caps its own at 25 MB, but a branch push of a few commits is a few KB;
    /// the FastCGI server refuses bodies over its own limit, `Config.maxBodyBytes`, before this).
    static let maxHookBodyBytes = 1 << 20

    /// Who may set a repository's push secret: an administrator, or the person who registered it.
    private func manageableRepository(_ c: Context, _ id: String) throws -> RepositoryStore.Repository {
        let repo = try repository(c, id)
        guard c.principal?.isAdmin == true || (repo.createdBy != nil && repo.createdBy == c.userID) else {
            throw APIError(
                403, "Only an administrator or the person who added the repository can change its push secret")
        }
        return repo
    }

    /// Stores the secret GitHub signs pushes with, sealed like every other secret; it is never shown again.
    func setPushSecret(_ c: Context, _ id: String) throws -> HTTPResponse {
        let repo = try manageableRepository(c, id)
        guard let box else {
            throw APIError(503, "Secret storage is not configured on this server (SCRIBE_SECRET_KEY)")
        }
        let body = try c.jsonObject()
        guard let v = body["secret"], !v.isNull else { throw APIError.missingField("secret") }
        guard let secret = v.stringValue, (8...512).contains(secret.utf8.count),
            !secret.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw APIError.badField("secret", "expected 8 to 512 characters on one line") }
        guard
            try PushStore(try c.db()).setSecret(
                repositoryID: repo.id, organisationID: c.org, sealed: try box.seal(secret))
        else {
            throw APIError(404, "Repository not found")
        }
        return .json(200, .object([("repository_id", .string(repo.id)), ("push_secret", .string("stored"))]))
    }

    func removePushSecret(_ c: Context, _ id: String) throws -> HTTPResponse {
        let repo = try manageableRepository(c, id)
        _ = try PushStore(try c.db()).setSecret(repositoryID: repo.id, organisationID: c.org, sealed: nil)
        return .json(200, .object([("repository_id", .string(repo.id)), ("push_secret", .string("removed"))]))
    }

    /// The one refusal of the hook: a missing or wrong signature, an unknown repository and a repository
    /// without a secret all read the same, so the hook never says whether a repository is registered.
    private static let badSignature = HTTPResponse.json(
        401, .object([("error", .string("Signature missing or not valid"))]))

    /// GitHub's push webhook. The repository is found from the payload (clone URL, page URL or owner/name)
    /// among those with a push secret; the signature (`X-Hub-Signature-256`) must verify with that secret. A
    /// ping answers 200; a push to the documented branch asks for a job at its `after` commit, debounced
    /// (`PushStore.record`); anything else answers 200 "ignored".
    func githubHook(_ c: Context) throws -> HTTPResponse {
        let payload = try hookPayload(c)
        let store = PushStore(try c.db())
        let verified = try verifiedRepositories(c, payload, store)
        guard !verified.isEmpty else { return API.badSignature }

        let event = c.request.headers["x-github-event"] ?? ""
        if event == "ping" { return .json(200, .object([("status", .string("pong"))])) }
        guard event == "push" else { return ignored("event '\(event.prefix(40))' is not handled") }
        let ref = payload["ref"]?.stringValue ?? ""
        let after = (payload["after"]?.stringValue ?? "").lowercased()
        guard payload["deleted"]?.boolValue != true, after.utf8.count == 40, GitRef.isCommitish(after),
            after != String(repeating: "0", count: 40)
        else { return ignored("the push deleted the branch or names no commit") }
        return try recordPush(to: verified, ref: ref, after: after, payload: payload, store: store)
    }

    /// The hook's body as a JSON object, within the size limit and sent as JSON.
    private func hookPayload(_ c: Context) throws -> JSONValue {
        let raw = c.request.body
        guard raw.count <= API.maxHookBodyBytes else { throw APIError.tooLarge }
        let type = (c.request.headers["content-type"] ?? "application/json").lowercased()
        guard type.hasPrefix("application/json") else {
            throw APIError(415, "Send the payload as application/json (the webhook's content type on GitHub)")
        }
        guard !raw.isEmpty, let payload = try? JSONValue.parse(raw), payload.objectPairs != nil else {
            throw APIError.badJSON
        }
        return payload
    }

    /// The repositories the payload names (by URL, as sent and as normalised, or by owner/name) whose push
    /// secret verifies the signature.
    private func verifiedRepositories(
        _ c: Context, _ payload: JSONValue, _ store: PushStore
    ) throws -> [PushStore.Candidate] {
        let raw = c.request.body
        let repository = payload["repository"]
        var urls: [String] = []
        for key in ["clone_url", "html_url", "git_url", "url"] {
            guard let u = repository?[key]?.stringValue, u.utf8.count <= 2048 else { continue }
            urls.append(u)
            if case .success(let accepted) = policy.check(u) { urls.append(accepted.url) }
        }
        let slug = repository?["full_name"]?.stringValue.flatMap { $0.utf8.count <= 300 ? $0 : nil }
        let signature = c.request.headers[PushSignature.header]
        let candidates = (urls.isEmpty && slug == nil) ? [] : try store.candidates(urls: Array(Set(urls)), slug: slug)
        var verified: [PushStore.Candidate] = []
        for candidate in candidates {
            guard let box, let secret = try? box.open(candidate.sealedSecret) else {
                logger.warning("push secret cannot be decrypted", metadata: ["repo.id": "\(candidate.id)"])
                continue
            }
            if PushSignature.verify(header: signature, body: raw, secret: secret) { verified.append(candidate) }
        }
        if candidates.isEmpty {
            // The same work as a real check, so that the time taken does not tell a registered repository apart.
            _ = PushSignature.verify(header: signature, body: raw, secret: Secrets.hex(Secrets.randomBytes(16)))
        }
        return verified
    }

    /// Records the push for each verified repository whose documented branch it updates, and answers with
    /// each one's outcome: 202 when any job was asked for, 429 when none was and the organisation is at its
    /// limit, else 200.
    private func recordPush(
        to verified: [PushStore.Candidate], ref: String, after: String, payload: JSONValue, store: PushStore
    ) throws -> HTTPResponse {
        var results: [JSONValue] = []
        var queued = false
        var limited: Int? = nil
        for repo in verified {
            let branch = JobOptions.documentedBranch(
                repository: repo.branch, default: repo.defaultBranch,
                payload: payload["repository"]?["default_branch"]?.stringValue)
            guard let branch, ref == "refs/heads/\(branch)" else {
                results.append(
                    .object([
                        ("repository_id", .string(repo.id)), ("status", .string("ignored")),
                        ("reason", .string("not the documented branch")),
                    ]))
                continue
            }
            let outcome = try store.record(
                repositoryID: repo.id, commit: after, activeLimit: config.maxActiveJobsPerOrganisation
            ) { JobOptions.forPush(previous: $0, branch: repo.branch) }
            logger.info(
                "push received",
                metadata: ["repo.id": "\(repo.id)", "push.commit": "\(after)", "push.outcome": "\(outcome.word)"])
            switch outcome {
            case .enqueued, .moved, .followUp: queued = true
            case .atLimit(let n): limited = n
            default: break
            }
            results.append(
                .object([
                    ("repository_id", .string(repo.id)), ("status", .string(outcome.word)), ("commit", .string(after)),
                    ("job_id", .str(outcome.jobID)),
                ]))
        }
        if !queued, let limited {
            return .json(
                429,
                .object([
                    ("error", .string("The organisation has \(limited) active jobs, the most allowed at once")),
                    ("repositories", .array(results)),
                ]),
                headers: [("Retry-After", String(API.activeLimitRetryAfter))])
        }
        return .json(
            queued ? 202 : 200,
            .object([("status", .string(queued ? "queued" : "ignored")), ("repositories", .array(results))]))
    }

    private func ignored(_ reason: String) -> HTTPResponse {
        .json(200, .object([("status", .string("ignored")), ("reason", .string(reason))]))
    }
}
