import Testing

@testable import ScribeCore

@Suite("Router")
struct RouterTests {
    static let id = "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b"
    static let upper = "3F2B8C1E-9A4D-4E6F-8B7A-0C1D2E3F4A5B"

    struct Case: Sendable, CustomTestStringConvertible {
        let method: String
        let path: String
        let route: Route
        var testDescription: String { "\(method) \(path)" }
    }

    /// Every route of `Route`, reached by the method and path that SPEC §4 gives it.
    static let routes: [Case] = [
        Case(method: "GET", path: "/api/health", route: .health),
        Case(method: "GET", path: "/api/metrics", route: .metrics),
        Case(method: "GET", path: "/api/me", route: .me),
        Case(method: "GET", path: "/api/repositories", route: .listRepositories),
        Case(method: "POST", path: "/api/repositories", route: .createRepository),
        Case(method: "GET", path: "/api/repositories/\(id)", route: .getRepository(id)),
        Case(method: "GET", path: "/api/repositories/\(id)/docs", route: .repositoryDocs(id)),
        Case(method: "GET", path: "/api/repositories/\(id)/pages", route: .listPages(id)),
        Case(method: "GET", path: "/api/repositories/\(id)/pages/index.md", route: .getPage(id, "index.md")),
        Case(
            method: "GET", path: "/api/repositories/\(id)/pages/modules/core/api.md",
            route: .getPage(id, "modules/core/api.md")),
        Case(method: "POST", path: "/api/generate-docs", route: .generateDocs),
        Case(method: "GET", path: "/api/documentation/jobs", route: .listJobs),
        Case(method: "POST", path: "/api/documentation/jobs", route: .createJob),
        Case(method: "GET", path: "/api/documentation/jobs/\(id)", route: .getJob(id)),
        Case(method: "DELETE", path: "/api/documentation/jobs/\(id)", route: .cancelJob(id)),
        Case(method: "GET", path: "/api/documentation/jobs/\(id)/events", route: .jobEvents(id)),
        Case(method: "GET", path: "/api/documentation/jobs/\(id)/objects", route: .jobObjects(id)),
        Case(method: "POST", path: "/api/documentation/jobs/\(id)/pause", route: .pauseJob(id)),
        Case(method: "POST", path: "/api/documentation/jobs/\(id)/resume", route: .resumeJob(id)),
        Case(method: "POST", path: "/api/documentation/jobs/\(id)/retry", route: .retryJob(id)),
        Case(method: "POST", path: "/api/documentation/jobs/\(id)/cancel", route: .cancelJob(id)),
        Case(method: "PUT", path: "/api/me/github-token", route: .setGitHubToken),
        Case(method: "PUT", path: "/api/organisation/llm", route: .setLLMSettings),
        Case(method: "GET", path: "/api/organisation/webhooks", route: .listWebhooks(.organisation)),
        Case(method: "POST", path: "/api/organisation/webhooks", route: .createWebhook(.organisation)),
        Case(method: "DELETE", path: "/api/organisation/webhooks/\(id)", route: .deleteWebhook(.organisation, id)),
        Case(
            method: "GET", path: "/api/organisation/webhooks/\(id)/deliveries", route: .webhookDeliveries(.organisation, id)),
        Case(method: "GET", path: "/api/repositories/\(id)/webhooks", route: .listWebhooks(.repository(id))),
        Case(method: "POST", path: "/api/repositories/\(id)/webhooks", route: .createWebhook(.repository(id))),
        Case(
            method: "DELETE", path: "/api/repositories/\(id)/webhooks/\(upper)", route: .deleteWebhook(.repository(id), id)),
        Case(
            method: "GET", path: "/api/repositories/\(upper)/webhooks/\(id)/deliveries",
            route: .webhookDeliveries(.repository(id), id)),
        Case(method: "PUT", path: "/api/repositories/\(id)/push-secret", route: .setPushSecret(id)),
        Case(method: "DELETE", path: "/api/repositories/\(id)/push-secret", route: .removePushSecret(id)),
        Case(method: "POST", path: "/api/hooks/github", route: .githubHook),
    ]

    @Test func thePushHookIsPostOnly() {
        #expect(Router.match(method: "GET", path: "/api/hooks/github") == .methodNotAllowed(["POST"]))
    }

    @Test("every route is reached by its method and path", arguments: routes)
    func everyRoute(_ c: Case) {
        #expect(Router.match(method: c.method, path: c.path) == .matched(c.route))
    }

    @Test("a trailing slash (or several) does not change the route", arguments: routes)
    func trailingSlash(_ c: Case) {
        #expect(Router.match(method: c.method, path: c.path + "/") == .matched(c.route))
        #expect(Router.match(method: c.method, path: c.path + "///") == .matched(c.route))
    }

    @Test("HEAD is answered as GET wherever GET is", arguments: routes.filter { $0.method == "GET" })
    func headIsGet(_ c: Case) {
        #expect(Router.match(method: "HEAD", path: c.path) == .matched(c.route))
    }

    @Test("methods are matched case-insensitively")
    func methodCase() {
        #expect(Router.match(method: "get", path: "/api/health") == .matched(.health))
        #expect(Router.match(method: "Post", path: "/api/generate-docs") == .matched(.generateDocs))
    }

    @Test("a wrong method gets 405 with the allowed methods, sorted, HEAD wherever GET is")
    func methodNotAllowed() {
        #expect(Router.match(method: "POST", path: "/api/health") == .methodNotAllowed(["GET", "HEAD"]))
        #expect(Router.match(method: "DELETE", path: "/api/repositories") == .methodNotAllowed(["GET", "HEAD", "POST"]))
        #expect(Router.match(method: "GET", path: "/api/generate-docs") == .methodNotAllowed(["POST"]))
        #expect(Router.match(method: "HEAD", path: "/api/generate-docs") == .methodNotAllowed(["POST"]))
        #expect(Router.match(method: "PUT", path: "/api/documentation/jobs") == .methodNotAllowed(["GET", "HEAD", "POST"]))
        #expect(
            Router.match(method: "PATCH", path: "/api/documentation/jobs/\(Self.id)")
                == .methodNotAllowed(["DELETE", "GET", "HEAD"]))
        #expect(
            Router.match(method: "GET", path: "/api/documentation/jobs/\(Self.id)/pause") == .methodNotAllowed(["POST"])
        )
        #expect(Router.match(method: "DELETE", path: "/api/repositories/\(Self.id)") == .methodNotAllowed(["GET", "HEAD"]))
        #expect(Router.match(method: "GET", path: "/api/me/github-token") == .methodNotAllowed(["PUT"]))
        #expect(
            Router.match(method: "POST", path: "/api/repositories/\(Self.id)/pages/index.md")
                == .methodNotAllowed(["GET", "HEAD"]))
    }

    @Test(
        "ids must be UUIDs: anything else is 404, not a lookup",
        arguments: [
            "1", "abc", "3f2b8c1e9a4d4e6f8b7a0c1d2e3f4a5b", "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5",
            "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5bb",
            "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5g", "3f2b8c1e_9a4d_4e6f_8b7a_0c1d2e3f4a5b", "'; DROP TABLE jobs; --",
            "%33f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b",
            "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5\u{e9}",
        ])
    func idsMustBeUUIDs(_ bad: String) {
        #expect(Router.match(method: "GET", path: "/api/repositories/\(bad)") == .notFound)
        #expect(Router.match(method: "GET", path: "/api/repositories/\(bad)/docs") == .notFound)
        #expect(Router.match(method: "GET", path: "/api/documentation/jobs/\(bad)") == .notFound)
        #expect(Router.match(method: "POST", path: "/api/documentation/jobs/\(bad)/retry") == .notFound)
        #expect(Router.match(method: "DELETE", path: "/api/organisation/webhooks/\(bad)") == .notFound)
        #expect(Router.match(method: "GET", path: "/api/repositories/\(Self.id)/webhooks/\(bad)/deliveries") == .notFound)
        #expect(!Router.isUUID(bad))
    }

    @Test("upper-case ids are accepted and handed on in lower case")
    func upperCaseIDs() {
        #expect(Router.isUUID(Self.upper))
        #expect(
            Router.match(method: "GET", path: "/api/documentation/jobs/\(Self.upper)") == .matched(.getJob(Self.id)))
        #expect(
            Router.match(method: "GET", path: "/api/repositories/\(Self.upper)/docs")
                == .matched(.repositoryDocs(Self.id)))
    }

    @Test(
        "unknown paths are 404",
        arguments: [
            "/", "/index.html", "/static/app.js", "/apix/health", "/api/healthz", "/api/nope",
            "/api/repositories/\(id)/nope",
            "/api/documentation", "/api/documentation/jobs/\(id)/bogus", "/api/documentation/jobs/\(id)/events/1",
            "/api/documentation/jobs/\(id)/pause/now", "/api/organisation", "/api/me/github-token/x", "/API/health",
        ])
    func unknownPaths(_ path: String) {
        #expect(Router.match(method: "GET", path: path) == .notFound)
    }

    /// `/api` and `/api/` have no route; they must be 404 like any unknown path, not a crash of the FastCGI
    /// process (every request to /api/ goes through this function). Run in a child process so that a crash
    /// fails this test instead of the whole run.
    @Test("/api and /api/ are 404, not a crash")
    func bareAPIPrefix() async {
        await #expect(processExitsWith: .success) {
            precondition(Router.match(method: "GET", path: "/api") == .notFound)
        }
        await #expect(processExitsWith: .success) {
            precondition(Router.match(method: "GET", path: "/api/") == .notFound)
        }
        await #expect(processExitsWith: .success) {
            precondition(Router.match(method: "GET", path: "/api//") == .notFound)
        }
    }

    @Test("only health, metrics and the push hook (signed instead) are reachable without a token")
    func auth() {
        for c in Self.routes {
            #expect(c.route.needsAuth == !(c.route == .health || c.route == .metrics || c.route == .githubHook), "\(c.route)")
        }
    }

    // MARK: Page paths

    static let pagePrefix = "/api/repositories/\(id)/pages/"

    @Test(
        "page paths refuse traversal, hidden files and odd characters",
        arguments: [
            "..", "../secret", "a/../../etc/passwd", "a/..", "./index.md", ".hidden", "a/.git/config", ".env",
            "%2e%2e/secret", "%2E%2E/secret", "a%2F..%2F..%2Fetc", "%2e%2e%2fsecret", "%2fetc%2fpasswd", "a/%2e%2e",
            "%252e%252e/secret", "a%00b.md", "a%20b.md", "caf%C3%A9.md", "a%zz", "a%2", "a\\..\\b", "index.md;rm",
        ])
    func pageRefusals(_ page: String) {
        #expect(Router.match(method: "GET", path: Self.pagePrefix + page) == .notFound)
    }

    @Test(
        "ordinary page paths pass and are decoded",
        arguments: [
            ("index.md", "index.md"), ("modules/core.md", "modules/core.md"), ("a/b/c-d_e+f@2.md", "a/b/c-d_e+f@2.md"),
            ("modules%2Fcore.md", "modules/core.md"), ("diagrams/deps.svg", "diagrams/deps.svg"),
            ("v1.2/x.md", "v1.2/x.md"),
        ])
    func pageAccepted(_ page: String, _ expected: String) {
        #expect(Router.match(method: "GET", path: Self.pagePrefix + page) == .matched(.getPage(Self.id, expected)))
    }

    @Test("PagePath.normalise refuses absolute, empty and over-long paths")
    func pagePathDirect() {
        #expect(PagePath.normalise("") == nil)
        #expect(PagePath.normalise("/etc/passwd") == nil)
        #expect(PagePath.normalise("a//b") == nil)
        #expect(PagePath.normalise(String(repeating: "a", count: 513)) == nil)
        #expect(PagePath.normalise(String(repeating: "a", count: 512)) != nil)
    }
}
