/// An error answered to an API client: an HTTP status and a message written for that client.
public struct APIError: Error, Equatable, Sendable {
    public let status: Int
    public let message: String
    /// Extra fields next to `error` (the seeds' 409 carries `repository_id` and `status`).
    public let extra: [(String, JSONValue)]

    public init(_ status: Int, _ message: String, extra: [(String, JSONValue)] = []) {
        self.status = status
        self.message = message
        self.extra = extra
    }

    public static func == (a: APIError, b: APIError) -> Bool { a.status == b.status && a.message == b.message }

    public var body: JSONValue { .object([("error", .string(message))] + extra) }

    public static let badJSON = APIError(400, "Request body is not valid JSON")
    public static let unauthorized = APIError(401, "Missing or invalid API token")
    public static let forbidden = APIError(403, "Not allowed")
    public static let notFound = APIError(404, "Not found")
    public static let tooLarge = APIError(413, "Request body is too large")
    public static let unavailable = APIError(503, "The database is unavailable, please try again shortly")
    public static let internalError = APIError(500, "Internal error")

    public static func missingField(_ name: String) -> APIError { APIError(400, "Missing field: \(name)") }
    public static func badField(_ name: String, _ why: String) -> APIError { APIError(400, "Invalid \(name): \(why)") }
    public static func methodNotAllowed(_ allowed: [String]) -> APIError {
        APIError(405, "Method not allowed (allowed: \(allowed.joined(separator: ", ")))")
    }
}

public enum HTTPStatus {
    public static func reason(_ code: Int) -> String {
        switch code {
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Payload Too Large"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
