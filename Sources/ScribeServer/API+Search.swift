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
            let data = FileManager.default.contents(atPath: "\(config.dataDir)/docs/\(set.docsPath)/search.json"),
            let index = try? JSONValue.parse(Array(data))
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
