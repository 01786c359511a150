import Foundation
import Logging
import ScribeCore
import ScribeCrypto
import ScribeServer
import ScribeStore
import ScribeTestSupport
import Testing

/// The API's handlers called directly (`API.handle`), no socket and no nginx, against a real PostgreSQL.
@Suite(.freshDatabase) struct APIHandlerTests {
    let api: API
    let db: Connection

    init() throws {
        let database = try #require(TestDatabase.current)
        let config = try Config.fromEnvironment([
            "DATABASE_URL": database.url, "SCRIBE_SECRET_KEY": String(repeating: "ab", count: 32),
            "SCRIBE_ALLOW_LOCAL_REPOS": "1",
        ])
        api = API(config: config, threads: 1, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        db = try database.connect()
    }

    /// A new organisation with an administrator, and a token for it.
    func signedIn() throws -> String {
        let store = AccountStore(db)
        let (user, _) = try store.createUser(
            organisation: "org-" + UUID().uuidString, email: UUID().uuidString + "@t.test", admin: true)
        let token = Secrets.newAPIToken()
        try store.addToken(userID: user, tokenHash: Secrets.tokenDigest(token))
        return token
    }

    func call(
        _ method: String, _ path: String, token: String?, body: String? = nil, headers: [String: String] = [:]
    )
        -> (status: Int, json: JSONValue?, headers: [String: String])
    {
        var h = headers
        if let token { h["authorization"] = "Bearer \(token)" }
        let r = api.handle(
            HTTPRequest(method: method, path: path, headers: h, body: Array((body ?? "").utf8)), thread: 0)
        let json = r.body.isEmpty ? nil : try? JSONValue.parse(r.body)
        return (r.status, json, Dictionary(r.headers, uniquingKeysWith: { a, _ in a }))
    }

    @Test func withoutATokenEveryAPIRouteIs401AndAnUnknownTokenToo() throws {
        for (method, path) in [("GET", "/api/me"), ("GET", "/api/repositories"), ("POST", "/api/generate-docs")] {
            let r = call(method, path, token: nil)
            #expect(r.status == 401)
            #expect(r.json?["error"]?.stringValue?.isEmpty == false)
        }
        #expect(call("GET", "/api/me", token: Secrets.newAPIToken()).status == 401)
    }

    @Test func unknownPathsAre404AndWrongMethods405WithAllow() {
        #expect(call("GET", "/api/nothing-here", token: nil).status == 404)
        let r = call("DELETE", "/api/repositories", token: nil)
        #expect(r.status == 405)
        #expect(r.headers["Allow"] == "GET, HEAD, POST")
    }

    @Test func aTokenSeesItsUserAndBadBodiesAre400() throws {
        let token = try signedIn()
        let me = call("GET", "/api/me", token: token)
        #expect(me.status == 200)
        #expect(me.json?["user"]?["role"]?.stringValue == "admin")
        #expect(call("POST", "/api/repositories", token: token, body: "{not json").status == 400)
        #expect(call("POST", "/api/repositories", token: token, body: "[]").status == 400)
        #expect(call("POST", "/api/generate-docs", token: token, body: #"{"repository_id": "nope"}"#).status == 400)
    }

    @Test func aJobIsCreatedOnceThenPolledWithAnETagAndHiddenFromOtherOrganisations() throws {
        let token = try signedIn()
        let repo = call(
            "POST", "/api/repositories", token: token, body: #"{"url": "/srv/handler-test-\#(UUID().uuidString)"}"#)
        #expect(repo.status == 201)
        let repoID = try #require(repo.json?["id"]?.stringValue)

        let body = #"{"repository_id": "\#(repoID)"}"#
        let created = call("POST", "/api/generate-docs", token: token, body: body)
        #expect(created.status == 202)
        let jobID = try #require(created.json?["data"]?["job_id"]?.stringValue)
        let second = call("POST", "/api/generate-docs", token: token, body: body)
        #expect(second.status == 409)
        #expect(second.json?["error"]?.stringValue == "Documentation generation is already in progress")

        let job = call("GET", "/api/documentation/jobs/\(jobID)", token: token)
        #expect(job.status == 200)
        #expect(job.json?["status"]?.stringValue == "queued")
        let etag = try #require(job.headers["ETag"])
        #expect(
            call("GET", "/api/documentation/jobs/\(jobID)", token: token, headers: ["if-none-match": etag]).status
                == 304)
        #expect(
            call("GET", "/api/documentation/jobs/\(jobID)", token: token, headers: ["if-none-match": "W/\(etag)"])
                .status == 304)

        let stranger = try signedIn()
        #expect(call("GET", "/api/documentation/jobs/\(jobID)", token: stranger).status == 404)
        #expect(call("DELETE", "/api/documentation/jobs/\(jobID)", token: stranger).status == 404)
        #expect(call("GET", "/api/documentation/jobs/\(jobID)", token: token).json?["status"]?.stringValue == "queued")

        let cancelled = call("DELETE", "/api/documentation/jobs/\(jobID)", token: token)
        #expect(cancelled.status == 200)
        #expect(cancelled.json?["status"]?.stringValue == "cancelled")
    }

    @Test func aDatabaseThatCannotBeReachedIs503WithoutDetails() throws {
        let config = try Config.fromEnvironment([
            "DATABASE_URL": "postgresql://postgres@/scribe?host=/nonexistent-scribe-socket-dir&port=1"
        ])
        let down = API(config: config, threads: 1, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let r = down.handle(
            HTTPRequest(method: "GET", path: "/api/me", headers: ["authorization": "Bearer \(Secrets.newAPIToken())"]),
            thread: 0)
        #expect(r.status == 503)
        let text = String(decoding: r.body, as: UTF8.self)
        #expect(!text.contains("nonexistent") && !text.contains("socket"))
    }
}
