import Foundation
import ScribeCore

/// The status page's files, for hosts where every request reaches scribe-fcgi (nginx serves them otherwise),
/// no-cache, with the security headers every answer gets (`HTTPResponse.withSecurityHeaders`).
enum StaticFiles {
    /// The same policy as the shipped nginx configurations (nginx/*.conf): change them together.
    static let csp =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

    /// The headers nginx adds to every answer. nginx hides scribe-fcgi's own copies and sends its, so behind
    /// nginx nothing changes; without nginx (shared hosting, `SCRIBE_ACCEL_REDIRECT=0`) these protect the
    /// status page and the generated pages alike.
    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", csp), ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
    ]

    static let types: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "json": "application/json", "txt": "text/plain; charset=utf-8",
    ]

    static func serve(_ request: HTTPRequest, from dir: String) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return .error(.methodNotAllowed(["GET", "HEAD"]), headers: [("Allow", "GET, HEAD")])
        }
        var rel = String(request.path.dropFirst())
        if rel.isEmpty || rel.hasSuffix("/") { rel += "index.html" }
        guard let clean = PagePath.normalise(rel), let data = FileManager.default.contents(atPath: "\(dir)/\(clean)") else {
            return .error(.notFound)
        }
        let ext = (clean as NSString).pathExtension.lowercased()
        return HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", types[ext] ?? "application/octet-stream"), ("Cache-Control", "no-cache"),
            ], body: Array(data))
    }
}

extension HTTPResponse {
    /// This answer with each of `StaticFiles.securityHeaders` that it does not set itself.
    func withSecurityHeaders() -> HTTPResponse {
        var r = self
        let present = Set(headers.map { $0.0.lowercased() })
        r.headers += StaticFiles.securityHeaders.filter { !present.contains($0.0.lowercased()) }
        return r
    }
}
