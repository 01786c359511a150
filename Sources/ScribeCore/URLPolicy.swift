import Foundation

/// Which repository URLs Scribe accepts (SPEC §5).
public struct URLPolicy: Sendable {
    public enum Kind: Equatable, Sendable {
        case remote(host: String, isGitHub: Bool)
        case local(path: String)
    }

    public struct Accepted: Equatable, Sendable {
        public let url: String  // normalised
        public let kind: Kind
        public let name: String
        /// `owner/name` for GitHub URLs.
        public let githubSlug: String?
    }

    public let allowedHosts: [String]
    public let allowLocal: Bool
    public let githubHosts: [String]

    public init(allowedHosts: [String], allowLocal: Bool, githubHosts: [String] = ["github.com"]) {
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
        self.allowLocal = allowLocal
        self.githubHosts = githubHosts.map { $0.lowercased() }
    }

    public init(config: Config) {
        self.init(allowedHosts: config.allowedHosts, allowLocal: config.allowLocalRepos, githubHosts: config.githubHosts)
    }

    /// Accepts or refuses a URL; the refusal is a message for the person who typed it.
    public func check(_ raw: String) -> Result<Accepted, APIError> {
        let s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !s.isEmpty else { return .failure(.missingField("url")) }
        guard s.utf8.count <= 2048, !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == " " }) else {
            return .failure(.badField("url", "it contains spaces or control characters"))
        }
        if s.hasPrefix("/") || s.hasPrefix("file://") {
            guard allowLocal else {
                return .failure(.badField("url", "local paths are not allowed on this server; use an https URL"))
            }
            var path = s.hasPrefix("file://") ? String(s.dropFirst("file://".count)) : s
            guard path.hasPrefix("/") else { return .failure(.badField("url", "a file URL needs an absolute path")) }
            while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            return .success(Accepted(url: path, kind: .local(path: path), name: Self.name(fromPath: path), githubSlug: nil))
        }
        guard let comps = URLComponents(string: s), let scheme = comps.scheme?.lowercased(), let host = comps.host?.lowercased(),
            !host.isEmpty
        else {
            return .failure(.badField("url", "expected an https URL such as https://github.com/owner/name"))
        }
        guard comps.user == nil && comps.password == nil else {
            return .failure(.badField("url", "credentials do not belong in a URL; store a GitHub token instead"))
        }
        guard comps.query == nil && comps.fragment == nil else {
            return .failure(.badField("url", "a repository URL has no query or fragment"))
        }
        let hostPort = comps.port.map { "\(host):\($0)" } ?? host
        let allowed: Bool
        switch scheme {
        case "https": allowed = allowedHosts.contains(host) || allowedHosts.contains(hostPort) || allowedHosts.contains("https://\(hostPort)")
        case "http": allowed = allowedHosts.contains("http://\(hostPort)")
        default:
            return .failure(.badField("url", "only https URLs are accepted"))
        }
        guard allowed else {
            return .failure(.badField("url", "host \(hostPort) is not in the allowed list (\(allowedHosts.joined(separator: ", ")))"))
        }
        var path = comps.path
        while path.hasSuffix("/") { path.removeLast() }
        let segments = path.split(separator: "/").map(String.init)
        guard !segments.isEmpty, !segments.contains(".."), !segments.contains("."), !segments.contains(where: { $0.hasPrefix("-") }) else {
            return .failure(.badField("url", "the URL names no repository"))
        }
        let isGitHub = githubHosts.contains(host) || githubHosts.contains(hostPort)
        var slug: String? = nil
        if isGitHub {
            guard segments.count == 2 else {
                return .failure(.badField("url", "a GitHub URL looks like https://github.com/owner/name"))
            }
            let repo = segments[1].hasSuffix(".git") ? String(segments[1].dropLast(4)) : segments[1]
            slug = "\(segments[0])/\(repo)"
        }
        let normalised = "\(scheme)://\(hostPort)/\(segments.joined(separator: "/"))"
        return .success(
            Accepted(url: normalised, kind: .remote(host: host, isGitHub: isGitHub), name: Self.name(fromPath: path), githubSlug: slug))
    }

    static func name(fromPath path: String) -> String {
        var last = path.split(separator: "/").last.map(String.init) ?? path
        if last.hasSuffix(".git") { last.removeLast(4) }
        return last.isEmpty ? "repository" : last
    }
}
