import Foundation
import ScribeCore
import ScribeStore

extension API {
    /// `GET /api/repositories/{id}/search?q=&limit=`: the shown documentation's search index, searched on
    /// the server with the ranking the site's script uses in the browser.
    func searchDocs(_ c: Context, _ id: String) throws -> HTTPResponse {
        let q = c.request.query["q"] ?? ""
        guard !q.isEmpty, q.utf8.count <= 200 else { throw APIError(400, "q must be 1 to 200 bytes of text to search for") }
        var limit = 20
        if let l = c.request.query["limit"], !l.isEmpty {
            guard let n = Int(l), (1...100).contains(n) else { throw APIError(400, "limit must be an integer from 1 to 100") }
            limit = n
        }
        let repo = try repository(c, id)
        let store = RepositoryStore(try c.db())
        guard let set = try store.docSet(repositoryID: repo.id), try store.page(jobID: set.jobID, path: "search.json") != nil,
            let data = try pageBytes(c, jobID: set.jobID, docsPath: set.docsPath, path: "search.json"),
            let index = try? JSONValue.parse(data)
        else {
            throw APIError(404, "No search index has been generated for this repository yet")
        }
        let hits = DocSearch.search(index, query: q, limit: limit)
        return .json(
            200,
            .object([
                ("repository_id", .string(repo.id)), ("job_id", .string(set.jobID)), ("query", .string(q)),
                ("results", .array(hits)),
            ]))
    }
}

extension API {
    /// Exports larger than this are refused rather than built in memory.
    static let maxExportBytes = 512 << 20

    /// `GET /api/repositories/{id}/docs.zip`: the documentation shown for the repository as a self-contained
    /// site (HTML, CSS, SVG, the search index and its script, the Markdown twins and llms.txt), every file of
    /// the docs index under one folder.
    func docsZip(_ c: Context, _ id: String) throws -> HTTPResponse {
        let repo = try repository(c, id)
        let store = RepositoryStore(try c.db())
        guard let set = try store.docSet(repositoryID: repo.id) else {
            throw APIError(404, "No documentation has been generated for this repository yet")
        }
        let folder = "docs-" + String(set.jobID.prefix(8))
        var zip = ZipArchive()
        for page in try store.pages(jobID: set.jobID) {
            guard let data = try pageBytes(c, jobID: set.jobID, docsPath: set.docsPath, path: page.path) else { continue }
            zip.add(path: "\(folder)/\(page.path)", contents: data)
            if zip.size > API.maxExportBytes { throw APIError(413, "The documentation is too large to export as one archive") }
        }
        return HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", "application/zip"), ("Content-Disposition", "attachment; filename=\"\(folder).zip\""),
                ("Cache-Control", "private, no-store"), ("X-Content-Type-Options", "nosniff"),
            ], body: zip.bytes())
    }
}

extension API {
    /// A page's bytes from the database, where every host finds them; pages of an installation not yet
    /// imported (`scribe pages import`) are still read from this host's data folder.
    func pageBytes(_ c: Context, jobID: String, docsPath: String, path: String) throws -> [UInt8]? {
        if let bytes = try PageStore(try c.db()).content(jobID: jobID, path: path) { return bytes }
        return FileManager.default.contents(atPath: "\(config.dataDir)/docs/\(docsPath)/\(path)").map { Array($0) }
    }
}
