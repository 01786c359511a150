/// Every endpoint of the API (SPEC §4). Matching is pure, so it is tested without a server.
public enum Route: Equatable, Sendable {
    case health
    case metrics
    case me
    case listRepositories
    case createRepository
    case getRepository(String)
    case repositoryDocs(String)
    case listPages(String)
    case getPage(String, String)
    case searchDocs(String)
    case docsZip(String)
    case generateDocs
    case listJobs
    case createJob
    case getJob(String)
    case jobEvents(String)
    case jobObjects(String)
    case pauseJob(String)
    case resumeJob(String)
    case retryJob(String)
    case cancelJob(String)
    case setGitHubToken
    case setLLMSettings
    case listWebhooks(WebhookScope)
    case createWebhook(WebhookScope)
    case deleteWebhook(WebhookScope, String)
    case webhookDeliveries(WebhookScope, String)
    case setPushSecret(String)
    case removePushSecret(String)
    /// GitHub's push webhook: authenticated by its signature, not by a token.
    case githubHook

    /// Whether the route needs a bearer token.
    public var needsAuth: Bool { self != .health && self != .metrics && self != .githubHook }
}

/// Whose job endings a webhook hears: every repository of the organisation, or one repository.
public enum WebhookScope: Equatable, Sendable {
    case organisation
    case repository(String)

    /// The repository of a repository's webhook.
    public var repositoryID: String? {
        if case .repository(let id) = self { return id }
        return nil
    }
}

public enum Router {
    public enum Outcome: Equatable, Sendable {
        case matched(Route)
        case methodNotAllowed([String])
        case notFound
    }

    /// Matches a method and a path (without the query string). Ids must look like UUIDs: anything else is 404.
    public static func match(method: String, path rawPath: String) -> Outcome {
        var path = rawPath
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard path.hasPrefix("/api/") || path == "/api" else { return .notFound }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).dropFirst().map(String.init)
        let m = method.uppercased()
        guard !parts.isEmpty else { return .notFound }
        // A path's routes by method, answered for this request's method (each step below uses it).
        let one = { (allowed: [String: Route]) in answer(m, allowed) }
        switch parts.count {
        case 1: return topLevel(parts[0], one)
        case 2: return twoParts(parts, one)
        default: break
        }
        if parts[0] == "organisation", parts[1] == "webhooks" {
            return webhook(Array(parts.dropFirst(2)), .organisation, one)
        }
        if parts[0] == "repositories", isUUID(parts[1]) {
            return repository(parts[1].lowercased(), Array(parts.dropFirst(2)), one)
        }
        if parts.count >= 3, parts[0] == "documentation", parts[1] == "jobs", isUUID(parts[2]) {
            return job(parts[2].lowercased(), Array(parts.dropFirst(3)), one)
        }
        return .notFound
    }

    /// The route for `method` among a path's routes, or 405 naming the methods the path allows.
    private static func answer(_ method: String, _ allowed: [String: Route]) -> Outcome {
        let key = method == "HEAD" ? "GET" : method
        if let r = allowed[key] { return .matched(r) }
        // HEAD is answered wherever GET is, so it is allowed there too.
        let methods = Array(allowed.keys) + (allowed["GET"] != nil ? ["HEAD"] : [])
        return .methodNotAllowed(methods.sorted())
    }

    /// `/api/{name}`.
    private static func topLevel(_ name: String, _ one: ([String: Route]) -> Outcome) -> Outcome {
        switch name {
        case "health": return one(["GET": .health])
        case "metrics": return one(["GET": .metrics])
        case "me": return one(["GET": .me])
        case "repositories": return one(["GET": .listRepositories, "POST": .createRepository])
        case "generate-docs": return one(["POST": .generateDocs])
        default: return .notFound
        }
    }

    /// `/api/{a}/{b}`.
    private static func twoParts(_ parts: [String], _ one: ([String: Route]) -> Outcome) -> Outcome {
        if parts[0] == "repositories", isUUID(parts[1]) { return one(["GET": .getRepository(parts[1].lowercased())]) }
        if parts == ["documentation", "jobs"] { return one(["GET": .listJobs, "POST": .createJob]) }
        if parts == ["me", "github-token"] { return one(["PUT": .setGitHubToken]) }
        if parts == ["organisation", "llm"] { return one(["PUT": .setLLMSettings]) }
        if parts == ["organisation", "webhooks"] {
            return one(["GET": .listWebhooks(.organisation), "POST": .createWebhook(.organisation)])
        }
        if parts == ["hooks", "github"] { return one(["POST": .githubHook]) }
        return .notFound
    }

    /// What follows `/api/repositories/{id}/` (at least one part).
    private static func repository(_ id: String, _ rest: [String], _ one: ([String: Route]) -> Outcome) -> Outcome {
        if rest[0] == "webhooks" {
            if rest.count == 1 { return one(["GET": .listWebhooks(.repository(id)), "POST": .createWebhook(.repository(id))]) }
            return webhook(Array(rest.dropFirst()), .repository(id), one)
        }
        if rest.count == 1 && rest[0] == "docs" { return one(["GET": .repositoryDocs(id)]) }
        if rest.count == 1 && rest[0] == "pages" { return one(["GET": .listPages(id)]) }
        if rest.count == 1 && rest[0] == "search" { return one(["GET": .searchDocs(id)]) }
        if rest.count == 1 && rest[0] == "docs.zip" { return one(["GET": .docsZip(id)]) }
        if rest.count == 1 && rest[0] == "push-secret" { return one(["PUT": .setPushSecret(id), "DELETE": .removePushSecret(id)]) }
        if rest.count >= 2 && rest[0] == "pages" {
            guard let page = PagePath.normalise(rest[1...].joined(separator: "/")) else { return .notFound }
            return one(["GET": .getPage(id, page)])
        }
        return .notFound
    }

    /// `/api/documentation/jobs/{id}` and its actions; `rest` is what follows the id.
    private static func job(_ id: String, _ rest: [String], _ one: ([String: Route]) -> Outcome) -> Outcome {
        if rest.isEmpty { return one(["GET": .getJob(id), "DELETE": .cancelJob(id)]) }
        guard rest.count == 1 else { return .notFound }
        switch rest[0] {
        case "events": return one(["GET": .jobEvents(id)])
        case "objects": return one(["GET": .jobObjects(id)])
        case "pause": return one(["POST": .pauseJob(id)])
        case "resume": return one(["POST": .resumeJob(id)])
        case "retry": return one(["POST": .retryJob(id)])
        case "cancel": return one(["POST": .cancelJob(id)])
        default: return .notFound
        }
    }

    /// `{id}` and `{id}/deliveries` under a scope's `webhooks`.
    private static func webhook(_ rest: [String], _ scope: WebhookScope, _ one: ([String: Route]) -> Outcome) -> Outcome {
        guard let first = rest.first, isUUID(first) else { return .notFound }
        let id = first.lowercased()
        if rest.count == 1 { return one(["DELETE": .deleteWebhook(scope, id)]) }
        if rest.count == 2 && rest[1] == "deliveries" { return one(["GET": .webhookDeliveries(scope, id)]) }
        return .notFound
    }

    public static func isUUID(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if !((48...57).contains(c) || (97...102).contains(c) || (65...70).contains(c)) {
                return false
            }
        }
        return true
    }
}

/// Paths of generated pages: relative, no `..`, no hidden parts, a small character set.
public enum PagePath {
    public static func normalise(_ raw: String) -> String? {
        let decoded = raw.removingPercentEncodingSafe ?? raw
        guard !decoded.isEmpty, decoded.utf8.count <= 512, !decoded.hasPrefix("/") else { return nil }
        let parts = decoded.split(separator: "/", omittingEmptySubsequences: false)
        for p in parts {
            if p.isEmpty || p == "." || p == ".." || p.hasPrefix(".") { return nil }
            for c in p.unicodeScalars {
                let ok = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
                    || c == "-" || c == "_" || c == "." || c == "+" || c == "@"
                if !ok { return nil }
            }
        }
        return decoded
    }
}

extension String {
    /// Percent-decoding without Foundation's quirks: nil on malformed escapes.
    var removingPercentEncodingSafe: String? {
        var out: [UInt8] = []
        var it = Array(utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "%") {
                guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else { return nil }
                out.append(v)
                it = it.dropFirst(2)
            } else {
                out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}
