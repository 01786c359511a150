import Foundation
import ScribeCore

/// A request as the API sees it, independent of FastCGI.
public struct HTTPRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var headers: [String: String]  // lower-case names
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Whether If-None-Match names this entity tag. RFC 9110 §13.1.2 compares weakly: `W/"x"` matches `"x"`,
    /// which is what a browser sends back after nginx's gzip weakened the ETag.
    public func ifNoneMatch(_ etag: String) -> Bool {
        guard let header = headers["if-none-match"] else { return false }
        let wanted = Self.opaqueTag(etag)
        for item in header.split(separator: ",") {
            let tag = item.trimmingCharacters(in: .whitespaces)
            if tag == "*" || Self.opaqueTag(tag) == wanted { return true }
        }
        return false
    }

    static func opaqueTag(_ tag: String) -> Substring {
        tag.hasPrefix("W/") ? tag.dropFirst(2) : Substring(tag)
    }

    public var bearerToken: String? {
        guard let h = headers["authorization"] else { return nil }
        let parts = h.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let t = parts[1].trimmingCharacters(in: .whitespaces)
        return t.isEmpty ? nil : t
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")] + headers,
            body: Array((value.serialized() + "\n").utf8))
    }

    public static func error(_ e: APIError, headers: [(String, String)] = []) -> HTTPResponse {
        var h = headers
        if e.status == 401 { h.append(("WWW-Authenticate", "Bearer")) }
        return json(e.status, e.body, headers: h)
    }

    /// The CGI-style header block that FastCGI expects, with the reason phrase (nginx wants it).
    public func head() -> String {
        var s = "Status: \(status) \(HTTPStatus.reason(status))\r\n"
        for (k, v) in headers { s += "\(k): \(v)\r\n" }
        s += "\r\n"
        return s
    }
}
