import Foundation
import ScribeCore

/// GitHub's REST API (or a server speaking it at `SCRIBE_GITHUB_API`): token validation and repository
/// metadata. The token goes in the Authorization header only.
public struct GitHubClient: Sendable {
    public let baseURL: String
    public let http: HTTPClient

    public init(baseURL: String, http: HTTPClient = HTTPClient(timeoutSeconds: 20)) {
        var b = baseURL
        while b.hasSuffix("/") { b.removeLast() }
        self.baseURL = b
        self.http = http
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unauthorized  // 401: the token is invalid or expired
        case notFound  // 404: no such repository, or not visible with this token
        case rateLimited(retryAfter: Double?)
        case server(Int)  // 5xx
        case unexpected(Int)
        case network(String)
        /// The API's address is one outbound requests may not reach (SCRIBE_GITHUB_API's host).
        case refused(String)
        case malformed

        public var description: String {
            switch self {
            case .unauthorized: return "GitHub answered 401 Unauthorized"
            case .notFound: return "GitHub answered 404 Not Found"
            case .rateLimited(let s): return "GitHub rate limit reached" + (s.map { " (retry after \(Int($0)) s)" } ?? "")
            case .server(let c): return "GitHub answered \(c)"
            case .unexpected(let c): return "GitHub answered \(c)"
            case .network(let m): return "GitHub could not be reached: \(m)"
            case .refused(let m): return "GitHub's API was not contacted: \(m)"
            case .malformed: return "GitHub's answer could not be read"
            }
        }
    }

    public struct RepositoryInfo: Sendable, Equatable {
        public let defaultBranch: String?
        public let description: String?
        public let isPrivate: Bool
    }

    private func headers(_ token: String?) -> [(String, String)] {
        var h = [("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28")]
        if let token { h.append(("Authorization", "Bearer \(token)")) }
        return h
    }

    private func get(_ path: String, token: String?) throws -> HTTPClient.Response {
        let r: HTTPClient.Response
        do {
            r = try http.send(method: "GET", url: baseURL + path, headers: headers(token))
        } catch let e as CurlError {
            throw e.refusedAddress ? Failure.refused(e.message) : Failure.network(e.message)
        }
        switch r.status {
        case 200..<300: return r
        case 401: throw Failure.unauthorized
        case 404: throw Failure.notFound
        case 403, 429:
            // GitHub signals rate limits with 403 or 429: Retry-After when it says so; the primary limit by
            // `x-ratelimit-remaining: 0` and its reset time; a secondary limit may say nothing but its
            // message, and then GitHub asks for at least a minute's wait.
            let retry = RetryAfter.seconds(r.headers["retry-after"])
            let secondary = (try? JSONValue.parse(r.body))?["message"]?.stringValue?.lowercased().contains("rate limit") ?? false
            if r.status == 429 || retry != nil || r.headers["x-ratelimit-remaining"] == "0" || secondary {
                var wait = retry
                if wait == nil, r.headers["x-ratelimit-remaining"] == "0",
                    let reset = r.headers["x-ratelimit-reset"].flatMap(Double.init) {
                    wait = max(1, reset - Date().timeIntervalSince1970)
                }
                throw Failure.rateLimited(retryAfter: wait ?? (secondary ? 60 : nil))
            }
            throw Failure.unexpected(r.status)
        case 500..<600: throw Failure.server(r.status)
        default: throw Failure.unexpected(r.status)
        }
    }

    /// The lightweight token check (`GET /user`): returns the login.
    public func validate(token: String) throws -> String {
        let r = try get("/user", token: token)
        guard let v = try? JSONValue.parse(r.body), let login = v["login"]?.stringValue else { throw Failure.malformed }
        return login
    }

    /// `GET /repos/{owner}/{name}`.
    public func repository(slug: String, token: String?) throws -> RepositoryInfo {
        let parts = slug.split(separator: "/")
        guard parts.count == 2 else { throw Failure.notFound }
        let path = "/repos/" + parts.map { String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? "" }.joined(separator: "/")
        let r = try get(path, token: token)
        guard let v = try? JSONValue.parse(r.body), v.objectPairs != nil else { throw Failure.malformed }
        return RepositoryInfo(
            defaultBranch: v["default_branch"]?.stringValue, description: v["description"]?.stringValue,
            isPrivate: v["private"]?.boolValue ?? false)
    }

    /// The header git uses for HTTPS with a token (GitHub accepts Basic x-access-token:TOKEN).
    public static func gitAuthHeader(token: String) -> String {
        "Authorization: Basic " + Data("x-access-token:\(token)".utf8).base64EncodedString()
    }
}
