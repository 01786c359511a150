import Testing

@testable import ScribeCore

@Suite("APIError")
struct APIErrorTests {
    @Test("every error body is {\"error\": message}")
    func body() throws {
        #expect(APIError.notFound.body.serialized() == #"{"error":"Not found"}"#)
        let parsed = try JSONValue.parse(APIError(400, "Invalid url: no").body.serialized())
        #expect(parsed.objectPairs?.count == 1)
        #expect(parsed["error"] == .string("Invalid url: no"))
    }

    @Test("the seeds' 409 carries repository_id and status next to error, in that order")
    func conflictExtras() throws {
        let repo = "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b"
        let e = APIError(
            409, Messages.alreadyInProgress,
            extra: [("repository_id", .string(repo)), ("status", .string("generating"))])
        #expect(e.status == 409)
        #expect(
            e.body.serialized()
                == #"{"error":"Documentation generation is already in progress","repository_id":"3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b","status":"generating"}"#
        )
    }

    @Test("statuses of the shared errors (SPEC §4)")
    func statuses() {
        #expect(APIError.badJSON.status == 400)
        #expect(APIError.missingField("x").status == 400)
        #expect(APIError.badField("x", "y").status == 400)
        #expect(APIError.unauthorized.status == 401)
        #expect(APIError.forbidden.status == 403)
        #expect(APIError.notFound.status == 404)
        #expect(APIError.methodNotAllowed(["GET"]).status == 405)
        #expect(APIError.tooLarge.status == 413)
        #expect(APIError.internalError.status == 500)
        #expect(APIError.unavailable.status == 503)
    }

    @Test("field errors name the field")
    func fieldMessages() {
        #expect(APIError.missingField("repository_id").message == "Missing field: repository_id")
        #expect(APIError.badField("max_retries", "expected 0 to 10").message == "Invalid max_retries: expected 0 to 10")
    }

    @Test("405 lists the allowed methods")
    func methodNotAllowed() {
        #expect(APIError.methodNotAllowed(["GET", "POST"]).message == "Method not allowed (allowed: GET, POST)")
    }

    @Test("messages in bodies are escaped like any JSON string")
    func escapedMessage() throws {
        let e = APIError(400, "Invalid name: \"<b>\"\n")
        let text = e.body.serialized()
        #expect(!text.contains("<"))
        #expect(try JSONValue.parse(text)["error"] == .string("Invalid name: \"<b>\"\n"))
    }

    @Test("reason phrases for the statuses the API sends")
    func reasons() {
        #expect(HTTPStatus.reason(200) == "OK")
        #expect(HTTPStatus.reason(202) == "Accepted")
        #expect(HTTPStatus.reason(304) == "Not Modified")
        #expect(HTTPStatus.reason(405) == "Method Not Allowed")
        #expect(HTTPStatus.reason(409) == "Conflict")
        #expect(HTTPStatus.reason(413) == "Payload Too Large")
        #expect(HTTPStatus.reason(503) == "Service Unavailable")
    }
}
