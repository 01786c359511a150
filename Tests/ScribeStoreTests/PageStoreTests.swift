import Foundation
import ScribeCore
import ScribeCrypto
@testable import ScribeStore
import Testing

/// Pages in the database (SPEC §8): stored with the completion, checked by hash, kept by retention.
@Suite("Pages in the database", .freshDatabase, .serialized)
struct PageStoreTests {
    static func content(_ text: String) -> PageStore.Content {
        let bytes = Array(text.utf8)
        return PageStore.Content(hash: Secrets.hex(Secrets.sha256(bytes)), bytes: bytes)
    }

    /// Completes a job of `repo` with an overview `text` and a module page shared by every job.
    func completeJob(_ fx: Fixture, org: String, repo: String, overview text: String) throws -> String {
        let job = try fx.queuedJob(org: org, repo: repo)
        let claim = try fx.claim(job.id)
        let lease = LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken)
        let pages = [(path: "index.md", text: text, kind: "overview"), (path: "modules/core.md", text: "# core\n", kind: "module")]
        let contents = pages.map { Self.content($0.text) }
        let records = zip(pages, contents).map { p, c in
            LeaseStore.PageRecord(
                path: p.path, title: p.path, kind: p.kind, module: nil, contentType: "text/markdown", contentHash: c.hash,
                size: c.bytes.count)
        }
        #expect(try lease.complete(docsPath: "\(repo)/\(job.id)", pages: records, contents: contents, cacheHit: false))
        return job.id
    }

    @Test("a completed job's pages are in the database, served by hash, and a hash that is not the content's is refused")
    func storedWithCompletion() throws {
        let fx = try Fixture()
        let org = try fx.organisation()
        let repo = try fx.repository(organisationID: org)
        let job = try completeJob(fx, org: org, repo: repo, overview: "# one\n")
        let store = PageStore(fx.db)
        guard case .page(let page) = try store.lookup(repositoryID: repo, organisationID: org, path: "index.md") else {
            Issue.record("the overview is not served")
            return
        }
        #expect(page.jobID == job && page.hash == Self.content("# one\n").hash && page.size == 6)
        #expect(try store.content(hash: page.hash ?? "") == Array("# one\n".utf8))
        if case .noPage = try store.lookup(repositoryID: repo, organisationID: org, path: "nope.md") {} else {
            Issue.record("an unknown page is found")
        }
        if case .noRepository = try store.lookup(repositoryID: repo, organisationID: try fx.organisation(), path: "index.md") {} else {
            Issue.record("another organisation sees the repository")
        }
        #expect(throws: PGError.self) {
            try fx.db.query(
                "INSERT INTO page_contents (hash, size, content) VALUES ($1, 3, 'abc'::bytea)", [String(repeating: "0", count: 64)],
                name: "t.bad-hash")
        }
    }

    @Test("retention keeps the newest versions and the one the repository points at; shared contents stay")
    func retention() throws {
        let fx = try Fixture()
        let org = try fx.organisation()
        let repo = try fx.repository(organisationID: org)
        var jobs: [String] = []
        for i in 0..<4 { jobs.append(try completeJob(fx, org: org, repo: repo, overview: "# version \(i)\n")) }
        try fx.db.query("UPDATE repositories SET docs_job_id = $1 WHERE id = $2", [jobs[0], repo], name: "t.point")
        let pruned = try PageStore(fx.db).prune(keep: 2)
        #expect(pruned.jobs == [jobs[1]])
        #expect(pruned.contents == 1)  // version 1's overview; the module page is shared
        for (i, job) in jobs.enumerated() {
            #expect(try fx.count("SELECT count(*) AS v FROM doc_pages WHERE job_id = $1", [job]) == (i == 1 ? 0 : 2))
        }
        #expect(try fx.value("SELECT docs_path AS v FROM jobs WHERE id = $1", [jobs[1]]) == nil)
        #expect(try PageStore(fx.db).absent(hashes: [Self.content("# version 1\n").hash, Self.content("# core\n").hash])
            == [Self.content("# version 1\n").hash])
        #expect(try PageStore(fx.db).prune(keep: 2).jobs.isEmpty)
    }
}
