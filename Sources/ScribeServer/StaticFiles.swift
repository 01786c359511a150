import Foundation
import ScribeCore

/// The status page's files, for hosts where every request reaches scribe-fcgi (nginx serves them otherwise),
/// with the same headers nginx sets: a strict CSP, nosniff, no-cache.
enum StaticFiles {
    static let csp =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

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
                ("Content-Security-Policy", csp), ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
            ], body: Array(data))
    }
}
