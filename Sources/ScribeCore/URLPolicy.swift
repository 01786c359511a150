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

    let allowedEntries: [HostEntry]
    let githubEntries: [HostEntry]

    public init(allowedHosts: [String], allowLocal: Bool, githubHosts: [String] = ["github.com"]) {
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
        self.allowLocal = allowLocal
        self.githubHosts = githubHosts.map { $0.lowercased() }
        self.allowedEntries = allowedHosts.compactMap(HostEntry.init)
        self.githubEntries = githubHosts.compactMap(HostEntry.init)
    }

    public init(config: Config) {
        self.init(allowedHosts: config.allowedHosts, allowLocal: config.allowLocalRepos, githubHosts: config.githubHosts)
    }

    /// One entry of SCRIBE_ALLOWED_HOSTS or SCRIBE_GITHUB_HOSTS: `host`, `host:port`, `https://host[:port]` or
    /// `http://host[:port]`. Without a port an entry means the scheme's default (443 for https), so that
    /// `github.com` does not also allow `github.com:8443`; plain http needs an `http://` entry.
    struct HostEntry: Equatable {
        let scheme: String
        let host: String
        let port: Int

        init?(_ raw: String) {
            var s = Substring(raw.lowercased())
            var scheme = "https"
            for p in ["https://", "http://"] where s.hasPrefix(p) {
                scheme = String(p.dropLast(3))
                s = s.dropFirst(p.count)
            }
            while s.hasSuffix("/") { s = s.dropLast() }
            guard let (host, port) = URLPolicy.splitHostPort(s) else { return nil }
            self.scheme = scheme
            self.host = host
            self.port = port ?? (scheme == "https" ? 443 : 80)
        }
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`; the host without brackets.
    static func splitHostPort(_ s: Substring) -> (String, Int?)? {
        var host = s
        var portText: Substring? = nil
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            host = s[s.index(after: s.startIndex)..<close]
            let rest = s[s.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if let colon = s.lastIndex(of: ":") {
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
        }
        guard !host.isEmpty else { return nil }
        guard let portText else { return (String(host), nil) }
        guard let port = Int(portText), (1...65535).contains(port), portText.allSatisfy(\.isASCII) else { return nil }
        return (String(host), port)
    }

    /// Characters a path segment keeps as they are in a stored URL (RFC 3986 pchar, less `%`).
    static let segmentAllowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@")

    /// Userinfo of any shape (`user@`, `user:pass@`, even an empty `@`): refused, never silently dropped.
    static func hasUserinfo(_ raw: String, _ comps: URLComponents) -> Bool {
        let authority = (raw.range(of: "://").map { raw[$0.upperBound...] } ?? Substring(raw)).prefix { $0 != "/" }
        return comps.user != nil || comps.password != nil || authority.contains("@")
    }

    /// True for characters that never belong in a repository URL: controls (C0, DEL, C1), any kind of
    /// space or line break, and invisible formatting (bidirectional overrides, zero-width characters).
    public static func isForbidden(_ c: Unicode.Scalar) -> Bool {
        isControl(c) || c == " " || c.properties.isWhitespace
    }

    /// Controls (C0, DEL, C1), line and paragraph separators and invisible formatting characters: refused
    /// even percent-encoded, where a space may stand (it stays encoded in the stored URL).
    static func isControl(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || (0x7f...0x9f).contains(c.value) || c.properties.generalCategory == .format
            || c.properties.generalCategory == .lineSeparator || c.properties.generalCategory == .paragraphSeparator
    }

    /// Accepts or refuses a URL; the refusal is a message for the person who typed it.
    public func check(_ raw: String) -> Result<Accepted, APIError> {
        let s = raw
        guard !s.isEmpty else { return .failure(.missingField("url")) }
        guard s.utf8.count <= 2048 else { return .failure(.badField("url", "it is longer than 2048 bytes")) }
        guard !s.unicodeScalars.contains(where: URLPolicy.isForbidden) else {
            return .failure(.badField("url", "it contains spaces or control characters"))
        }
        if s.hasPrefix("/") || s.lowercased().hasPrefix("file:") { return local(s) }
        return remote(s)
    }

    /// A path or `file://` URL on this machine, where the server allows them; without trailing slashes.
    private func local(_ s: String) -> Result<Accepted, APIError> {
        guard allowLocal else {
            return .failure(.badField("url", "local paths are not allowed on this server; use an https URL"))
        }
        var path = s.lowercased().hasPrefix("file://") ? String(s.dropFirst("file://".count)) : s
        guard path.hasPrefix("/") else { return .failure(.badField("url", "a file URL needs an absolute path")) }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return .success(Accepted(url: path, kind: .local(path: path), name: Self.name(fromPath: path), githubSlug: nil))
    }

    /// An http(s) URL of an allowed host, stored normalised: lower-case scheme and host, the default port
    /// left out, each path segment re-encoded.
    private func remote(_ s: String) -> Result<Accepted, APIError> {
        guard let comps = URLComponents(string: s), let scheme = comps.scheme?.lowercased(),
            let host = comps.host.map({ NetworkAddress.unbracketed($0.lowercased()) }), !host.isEmpty
        else {
            return .failure(.badField("url", "expected an https URL such as https://github.com/owner/name"))
        }
        guard !URLPolicy.hasUserinfo(s, comps) else {
            return .failure(.badField("url", "credentials do not belong in a URL; store a GitHub token instead"))
        }
        guard comps.query == nil && comps.fragment == nil else {
            return .failure(.badField("url", "a repository URL has no query or fragment"))
        }
        guard scheme == "https" || scheme == "http" else {
            return .failure(.badField("url", "only https URLs are accepted"))
        }
        guard !host.unicodeScalars.contains(where: URLPolicy.isForbidden), !host.contains("%") else {
            return .failure(.badField("url", "the host name is not valid"))
        }
        let port = comps.port ?? (scheme == "https" ? 443 : 80)
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let hostPort = port == (scheme == "https" ? 443 : 80) ? shownHost : "\(shownHost):\(port)"
        let allowed = allowedEntries.contains { $0.scheme == scheme && $0.host == host && $0.port == port }
        guard allowed else {
            return .failure(.badField("url", "host \(hostPort) is not in the allowed list (\(allowedHosts.joined(separator: ", ")))"))
        }
        let segments: [String]
        switch Self.repositorySegments(comps) {
        case .failure(let error): return .failure(error)
        case .success(let found): segments = found
        }
        let path = "/" + segments.joined(separator: "/")
        let isGitHub = githubEntries.contains { $0.host == host && $0.port == port }
        var slug: String? = nil
        if isGitHub {
            guard segments.count == 2 else {
                return .failure(.badField("url", "a GitHub URL looks like https://github.com/owner/name"))
            }
            let repo = segments[1].hasSuffix(".git") ? String(segments[1].dropLast(4)) : segments[1]
            slug = "\(segments[0])/\(repo)"
        }
        // The stored URL keeps whatever needs percent-encoding encoded, so it never holds a raw space.
        let encoded = segments.map { $0.addingPercentEncoding(withAllowedCharacters: URLPolicy.segmentAllowed) ?? $0 }
        let normalised = "\(scheme)://\(hostPort)/\(encoded.joined(separator: "/"))"
        return .success(
            Accepted(url: normalised, kind: .remote(host: host, isGitHub: isGitHub), name: Self.name(fromPath: path), githubSlug: slug))
    }

    /// The path's segments, decoded, when they name a repository: at least one, none `.`, `..` or
    /// starting with `-` (an option to git).
    private static func repositorySegments(_ comps: URLComponents) -> Result<[String], APIError> {
        // Segments are checked decoded: percent-encoding must not smuggle control characters or separators.
        var segments: [String] = []
        for raw in comps.percentEncodedPath.split(separator: "/") {
            guard let segment = raw.removingPercentEncoding else { return .failure(.badField("url", "the path is not valid")) }
            guard !segment.unicodeScalars.contains(where: URLPolicy.isControl) else {
                return .failure(.badField("url", "it contains control characters"))
            }
            guard !segment.contains(where: { "/?#%\\".contains($0) }) else { return .failure(.badField("url", "the path is not valid")) }
            segments.append(segment)
        }
        guard !segments.isEmpty, !segments.contains(".."), !segments.contains("."), !segments.contains(where: { $0.hasPrefix("-") }) else {
            return .failure(.badField("url", "the URL names no repository"))
        }
        return .success(segments)
    }

    /// An outbound endpoint that passed `endpoint(_:field:allowPrivateNetworks:)`.
    public struct Endpoint: Equatable, Sendable {
        /// The URL as stored and used (trailing slashes removed).
        public let url: String
        /// The host without brackets, and the port (the scheme's default when absent).
        public let host: String
        public let port: Int
    }

    /// Checks an outbound endpoint's URL (the LLM API's base URL, a webhook): https, or http only where
    /// private networks are allowed; a host; no userinfo, query or fragment; no spaces or control
    /// characters; not a literal address outbound requests may not reach, in any spelling. A name is
    /// resolved and checked by the caller (`AddressGuard`), and every connection is checked again.
    public static func endpoint(_ raw: String, field: String, allowPrivateNetworks: Bool) -> Result<Endpoint, APIError> {
        guard !raw.isEmpty, raw.utf8.count <= 2048 else { return .failure(.badField(field, "expected a URL of at most 2048 bytes")) }
        guard !raw.unicodeScalars.contains(where: isForbidden) else {
            return .failure(.badField(field, "it contains spaces or control characters"))
        }
        guard let comps = URLComponents(string: raw), let scheme = comps.scheme?.lowercased(),
            let host = comps.host.map({ NetworkAddress.unbracketed($0.lowercased()) }), !host.isEmpty
        else {
            return .failure(.badField(field, "expected an https URL such as https://api.openai.com/v1"))
        }
        guard scheme == "https" || (scheme == "http" && allowPrivateNetworks) else {
            return .failure(.badField(field, allowPrivateNetworks ? "expected an http(s) URL" : "expected an https URL"))
        }
        guard !hasUserinfo(raw, comps) else {
            let instead = field == "base_url" ? "; send the key as api_key" : "; the request is signed with the secret instead"
            return .failure(.badField(field, "credentials do not belong in the URL" + instead))
        }
        guard comps.query == nil && comps.fragment == nil else {
            return .failure(.badField(field, "the URL may have no query or fragment"))
        }
        guard !host.contains("%"), !host.unicodeScalars.contains(where: isForbidden) else {
            return .failure(.badField(field, "the host name is not valid"))
        }
        if !allowPrivateNetworks, let ip = NetworkAddress.parse(host), let why = ip.refusal {
            return .failure(.badField(field, NetworkAddress.refusalMessage(host: host, address: ip, why)))
        }
        var url = raw
        while url.hasSuffix("/") { url.removeLast() }
        return .success(Endpoint(url: url, host: host, port: comps.port ?? (scheme == "https" ? 443 : 80)))
    }

    static func name(fromPath path: String) -> String {
        var last = path.split(separator: "/").last.map(String.init) ?? path
        if last.hasSuffix(".git") { last.removeLast(4) }
        return last.isEmpty ? "repository" : last
    }
}
