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
        "GitHub URLs are normalised: .git, trailing slash, case of the host, the default port",
        arguments: [
            "https://github.com/apple/swift-log.git", "https://github.com/apple/swift-log/",
            "https://GitHub.COM/apple/swift-log", "HTTPS://github.com/apple/swift-log",
            "https://github.com:443/apple/swift-log",
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
            "https://github.com/a/" + String(repeating: "b", count: 2100), "https://github.com/a/b%zz",
        ])
    func refusedShapes(_ url: String) {
        #expect(refusal(Self.github, url)?.status == 400, "\(url.prefix(60))")
    }

    @Test(
        "raw spaces and control characters are refused anywhere, never trimmed away; control characters encoded too",
        arguments: [
            " https://github.com/a/b", "https://github.com/a/b ", "https://github.com/a/b\n", "\thttps://github.com/a/b",
            "https://github.com/a/b\r\nHost: evil", "https://github.com/a/b\u{7f}", "https://github.com/a/b\u{85}",
            "https://github.com/a/b\u{a0}", "https://github.com/a/b\u{2028}", "https://github.com/a/\u{202e}b",
            "https://github.com/a/b\u{200b}", "https://github.com/a/b\u{3000}", "https://github.com/a/b%0a",
            "https://github.com/a%00/b",
        ])
    func controlCharacters(_ url: String) throws {
        let e = try #require(refusal(Self.github, url), "\(url.debugDescription)")
        #expect(e.status == 400)
        #expect(e.message.contains("control characters"), "\(e.message)")
    }

    @Test("what needs percent-encoding stays encoded in the stored URL: it never holds a raw space")
    func encodedStaysEncoded() throws {
        let a = try #require(accepted(Self.github, "https://github.com/evil/%3Cimg%20src=x%20onerror=alert(1)%3E"))
        #expect(a.url == "https://github.com/evil/%3Cimg%20src=x%20onerror=alert(1)%3E")
        #expect(a.name == "<img src=x onerror=alert(1)>")
        #expect(a.githubSlug == "evil/<img src=x onerror=alert(1)>")
        let b = try #require(accepted(Self.github, "https://github.com/acme/caf%C3%A9"))
        #expect(b.url == "https://github.com/acme/caf%C3%A9")
        #expect(accepted(Self.github, "https://github.com/acme/café")?.url == "https://github.com/acme/caf%C3%A9")
    }

    @Test(
        "encoded separators and escapes in the path are refused",
        arguments: ["https://github.com/a/b%2fc", "https://github.com/a/b%3fc", "https://github.com/a/b%23c", "https://github.com/a/b%25c",
                    "https://github.com/a%5c/b"])
    func encodedSeparators(_ url: String) throws {
        let e = try #require(refusal(Self.github, url), "\(url)")
        #expect(e.message.contains("path is not valid"), "\(e.message)")
    }

    @Test("userinfo of any shape is refused", arguments: ["https://@github.com/a/b", "https://:@github.com/a/b", "https://a@github.com/a/b"])
    func emptyUserinfo(_ url: String) throws {
        let e = try #require(refusal(Self.github, url))
        #expect(e.message.contains("credentials"))
    }

    @Test("an allowed host without a port allows only the scheme's default port (443 for https)")
    func portRule() throws {
        for url in ["https://github.com:8443/a/b", "https://github.com:80/a/b", "https://github.com:22/a/b"] {
            let e = try #require(refusal(Self.github, url), "\(url)")
            #expect(e.message.contains("github.com:"), "\(e.message)")
        }
        let a = try #require(accepted(Self.github, "https://github.com:443/a/b"))
        #expect(a.url == "https://github.com/a/b")

        let p = URLPolicy(allowedHosts: ["git.example.org:8443", "https://code.example.org"], allowLocal: false)
        let b = try #require(accepted(p, "https://git.example.org:8443/team/repo.git"))
        #expect(b.url == "https://git.example.org:8443/team/repo.git")
        #expect(refusal(p, "https://git.example.org/team/repo.git") != nil)
        #expect(refusal(p, "https://git.example.org:8444/team/repo.git") != nil)
        #expect(refusal(p, "http://git.example.org:8443/team/repo.git") != nil)
        #expect(accepted(p, "https://code.example.org/team/repo") != nil)
        #expect(refusal(p, "https://code.example.org:444/team/repo") != nil)
    }

    @Test("the GitHub token follows the port rule too: only a listed host and port is GitHub")
    func githubPort() throws {
        let p = URLPolicy(allowedHosts: ["github.com", "github.com:8443"], allowLocal: false, githubHosts: ["github.com"])
        #expect(accepted(p, "https://github.com/a/b")?.githubSlug == "a/b")
        let other = try #require(accepted(p, "https://github.com:8443/a/b"))
        #expect(other.githubSlug == nil)
        #expect(other.kind == .remote(host: "github.com", isGitHub: false))
    }

    @Test("an empty URL is a missing field")
    func empty() {
        #expect(refusal(Self.github, "") == .missingField("url"))
        #expect(refusal(Self.github, "   ")?.status == 400)
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

    // MARK: outbound endpoints (the LLM API's base URL, webhooks)

    func endpointRefusal(_ url: String, allowPrivate: Bool = false) -> APIError? {
        if case .failure(let e) = URLPolicy.endpoint(url, field: "base_url", allowPrivateNetworks: allowPrivate) { return e }
        return nil
    }

    @Test("an https endpoint is accepted; trailing slashes go; host and port are known")
    func endpointOK() throws {
        let e = try URLPolicy.endpoint("https://api.openai.com/v1/", field: "base_url", allowPrivateNetworks: false).get()
        #expect(e == URLPolicy.Endpoint(url: "https://api.openai.com/v1", host: "api.openai.com", port: 443))
        let p = try URLPolicy.endpoint("https://llm.example.org:8443/v1", field: "base_url", allowPrivateNetworks: false).get()
        #expect(p.port == 8443)
    }

    @Test(
        "refused addresses are refused as endpoints in every spelling",
        arguments: [
            ("https://127.0.0.1/v1", "loopback"), ("https://2130706433/v1", "loopback"), ("https://0177.0.0.1/v1", "loopback"),
            ("https://0x7f.0.0.1/v1", "loopback"), ("https://0x7f000001/", "loopback"), ("https://127.1/", "loopback"),
            ("https://017700000001/", "loopback"), ("https://[::1]/v1", "loopback"),
            ("https://[::ffff:127.0.0.1]/v1", "loopback"), ("https://[::ffff:7f00:1]/v1", "loopback"),
            ("https://169.254.169.254/latest/meta-data", "link-local"), ("https://[fe80::1]/", "link-local"),
            ("https://10.0.0.8/v1", "private"), ("https://172.16.5.4/", "private"), ("https://192.168.0.1:8080/", "private"),
            ("https://100.64.0.1/", "carrier-grade NAT"), ("https://[fd12:3456::1]/", "unique-local"),
            ("https://0.0.0.0/", "unspecified"), ("https://[::]/", "unspecified"), ("https://224.0.0.1/", "multicast"),
            ("https://255.255.255.255/", "broadcast"), ("https://[::ffff:169.254.169.254]/", "link-local"),
        ])
    func endpointAddresses(_ url: String, _ why: String) throws {
        let e = try #require(endpointRefusal(url), "\(url)")
        #expect(e.status == 400)
        #expect(e.message.contains(why), "\(e.message)")
        #expect(e.message.hasPrefix("Invalid base_url:"))
    }

    @Test("private networks allowed: http and private addresses pass (development and tests)")
    func endpointPrivateAllowed() {
        #expect(endpointRefusal("http://127.0.0.1:8089/v1", allowPrivate: true) == nil)
        #expect(endpointRefusal("https://[::1]/v1", allowPrivate: true) == nil)
        #expect(endpointRefusal("http://127.0.0.1:8089/v1")?.message.contains("https") == true)
        #expect(endpointRefusal("ftp://example.org/v1", allowPrivate: true) != nil)
    }

    @Test(
        "endpoint shapes that are refused: other schemes, userinfo, query, fragment, spaces, control characters",
        arguments: [
            "http://api.example.org/v1", "ftp://api.example.org/v1", "file:///etc/passwd", "gopher://x/", "api.example.org/v1",
            "https://user:hunter2@api.example.org/v1", "https://@api.example.org/v1", "https://api.example.org/v1?x=1",
            "https://api.example.org/v1#x", "https://api.example.org/v 1", "https://api.example.org/v1\n",
            "https://api.example.org/\u{0}v1", "", "https://", "https://[fe80::1%25eth0]/",
        ])
    func endpointShapes(_ url: String) throws {
        let e = try #require(endpointRefusal(url), "\(url.debugDescription)")
        #expect(e.status == 400)
        #expect(!e.message.contains("hunter2"))
    }
}
