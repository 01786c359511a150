import Testing

@testable import ScribeCore

@Suite("URLPolicy")
struct URLPolicyTests {
    static let github = URLPolicy(allowedHosts: ["github.com"], allowLocal: false)

    func accepted(_ p: URLPolicy, _ url: String) -> URLPolicy.Accepted? {
        if case .success(let a) = p.check(url) { return a }
        return nil
    }

    func refusal(_ p: URLPolicy, _ url: String) -> APIError? {
        if case .failure(let e) = p.check(url) { return e }
        return nil
    }

    @Test("an https GitHub URL is accepted with its owner/name slug")
    func githubOK() throws {
        let a = try #require(accepted(Self.github, "https://github.com/apple/swift-log"))
        #expect(a.url == "https://github.com/apple/swift-log")
        #expect(a.githubSlug == "apple/swift-log")
        #expect(a.name == "swift-log")
        #expect(a.kind == .remote(host: "github.com", isGitHub: true))
    }

    @Test(
        "GitHub URLs are normalised: .git, trailing slash, case of the host, whitespace",
        arguments: [
            "https://github.com/apple/swift-log.git", "https://github.com/apple/swift-log/",
            "  https://github.com/apple/swift-log\n",
            "https://GitHub.COM/apple/swift-log", "HTTPS://github.com/apple/swift-log",
        ])
    func githubNormalised(_ url: String) throws {
        let a = try #require(accepted(Self.github, url))
        #expect(a.githubSlug == "apple/swift-log")
        #expect(a.name == "swift-log")
        #expect(a.url.hasPrefix("https://github.com/apple/swift-log"))
    }

    @Test(
        "a GitHub URL must name owner and repository",
        arguments: [
            "https://github.com", "https://github.com/", "https://github.com/apple",
            "https://github.com/apple/swift/tree/main",
            "https://github.com/apple/..", "https://github.com/%2e%2e/swift", "https://github.com/apple/.",
        ])
    func githubShape(_ url: String) {
        #expect(refusal(Self.github, url)?.status == 400)
    }

    @Test(
        "hosts outside the allowed list are refused, look-alikes too",
        arguments: [
            "https://gitlab.com/a/b", "https://github.com.evil.example/a/b", "https://evil.example/github.com/a/b",
            "https://api.github.com/a/b", "https://127.0.0.1/a/b", "https://[::1]/a/b",
            "https://169.254.169.254/latest/meta-data",
        ])
    func otherHosts(_ url: String) {
        let e = refusal(Self.github, url)
        #expect(e?.status == 400)
    }

    @Test("the refusal of a host names it and the allowed list")
    func hostMessage() throws {
        let e = try #require(refusal(Self.github, "https://gitlab.com/a/b"))
        #expect(e.message.contains("gitlab.com"))
        #expect(e.message.contains("github.com"))
    }

    @Test(
        "credentials in a URL are refused, and the refusal does not echo them",
        arguments: [
            "https://user:secret-pass@github.com/a/b", "https://ghp_abcdefghijklmnop@github.com/a/b",
            "https://x-access-token:t0k3n@github.com/a/b",
        ])
    func credentials(_ url: String) throws {
        let e = try #require(refusal(Self.github, url))
        #expect(e.status == 400)
        #expect(e.message.contains("credentials"))
        #expect(!e.message.contains("secret-pass") && !e.message.contains("ghp_") && !e.message.contains("t0k3n"))
    }

    @Test(
        "other schemes, query strings, fragments, spaces and control characters are refused",
        arguments: [
            "http://github.com/a/b", "ftp://github.com/a/b", "git://github.com/a/b", "ssh://github.com/a/b",
            "git@github.com:a/b.git",
            "javascript:alert(1)", "github.com/a/b", "https://github.com/a/b?tab=readme",
            "https://github.com/a/b#readme",
            "https://github.com/a/b c", "https://github.com/a/\u{7}b", "https://github.com/a\u{0}/b",
            "https://github.com/a/" + String(repeating: "b", count: 2100),
        ])
    func refusedShapes(_ url: String) {
        #expect(refusal(Self.github, url)?.status == 400, "\(url.prefix(60))")
    }

    @Test("an empty URL is a missing field")
    func empty() {
        #expect(refusal(Self.github, "   ") == .missingField("url"))
    }

    @Test("http only for an http://host:port entry of the allowed list, and only that port")
    func httpWhenListed() throws {
        let p = URLPolicy(allowedHosts: ["github.com", "http://127.0.0.1:8089"], allowLocal: false)
        let a = try #require(accepted(p, "http://127.0.0.1:8089/git/demo.git"))
        #expect(a.url == "http://127.0.0.1:8089/git/demo.git")
        #expect(a.kind == .remote(host: "127.0.0.1", isGitHub: false))
        #expect(a.githubSlug == nil)
        #expect(a.name == "demo")
        #expect(refusal(p, "http://127.0.0.1:8090/git/demo.git") != nil)
        #expect(refusal(p, "http://127.0.0.1/git/demo.git") != nil)
        #expect(refusal(p, "https://127.0.0.1:8089/git/demo.git") != nil)
        #expect(refusal(p, "http://github.com/a/b") != nil)
        // A bare host entry does not open plain http.
        #expect(
            refusal(URLPolicy(allowedHosts: ["127.0.0.1:8089"], allowLocal: false), "http://127.0.0.1:8089/x") != nil)
    }

    @Test("other allowed hosts accept deeper paths and have no slug")
    func otherAllowedHost() throws {
        let p = URLPolicy(allowedHosts: ["GitLab.com"], allowLocal: false)
        let a = try #require(accepted(p, "https://gitlab.com/group/sub/project.git"))
        #expect(a.kind == .remote(host: "gitlab.com", isGitHub: false))
        #expect(a.githubSlug == nil)
        #expect(a.name == "project")
        #expect(refusal(p, "https://github.com/a/b") != nil)
    }

    @Test(
        "local paths and file URLs are refused unless the server allows them",
        arguments: [
            "/srv/repos/demo", "file:///srv/repos/demo", "/", "file:///etc",
        ])
    func localRefused(_ url: String) throws {
        let e = try #require(refusal(Self.github, url))
        #expect(e.message.contains("local paths are not allowed"))
    }

    @Test("local paths when allowed")
    func localAllowed() throws {
        let p = URLPolicy(allowedHosts: ["github.com"], allowLocal: true)
        let a = try #require(accepted(p, "/srv/repos/demo.git/"))
        #expect(a.url == "/srv/repos/demo.git")
        #expect(a.kind == .local(path: "/srv/repos/demo.git"))
        #expect(a.name == "demo")
        #expect(a.githubSlug == nil)
        let f = try #require(accepted(p, "file:///srv/repos/other"))
        #expect(f.kind == .local(path: "/srv/repos/other"))
        #expect(refusal(p, "file://srv/repos/other") != nil)
        // Allowing local paths does not open other hosts.
        #expect(refusal(p, "https://gitlab.com/a/b") != nil)
    }
}
