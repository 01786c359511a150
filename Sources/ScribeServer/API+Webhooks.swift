import Foundation
import ScribeCore
import ScribeCrypto
import ScribeNet
import ScribeStore

/// Webhooks out: `/api/organisation/webhooks` (administrators) and `/api/repositories/{id}/webhooks` (any
/// member who can see the repository). Nothing here sends anything: the dispatchers deliver.
extension API {
    /// The repository of the scope, checked to be the organisation's (404 otherwise), and the right to manage
    /// the scope's webhooks.
    private func webhookScope(_ c: Context, _ scope: WebhookScope) throws -> String? {
        switch scope {
        case .organisation:
            guard c.principal?.isAdmin == true else {
                throw APIError(403, "Only an administrator can manage the organisation's webhooks")
            }
            return nil
        case .repository(let id):
            return try repository(c, id).id
        }
    }

    func listWebhooks(_ c: Context, _ scope: WebhookScope) throws -> HTTPResponse {
        let repo = try webhookScope(c, scope)
        let hooks = try WebhookStore(try c.db()).list(organisationID: c.org, repositoryID: repo)
        return .json(200, .object([("webhooks", .array(hooks.map(\.json)))]))
    }

    func createWebhook(_ c: Context, _ scope: WebhookScope) throws -> HTTPResponse {
        let repo = try webhookScope(c, scope)
        guard let box else {
            throw APIError(503, "Secret storage is not configured on this server (SCRIBE_SECRET_KEY)")
        }
        let body = try c.jsonObject()
        for (key, _) in body.objectPairs ?? [] where key != "url" && key != "secret" {
            throw APIError.badField(String(key.prefix(64)), "unknown field (expected url and, optionally, secret)")
        }
        guard let urlValue = body["url"], !urlValue.isNull else { throw APIError.missingField("url") }
        guard let raw = urlValue.stringValue else { throw APIError.badField("url", "expected a string") }
        let endpoint = try webhookEndpoint(raw)
        var secret = WebhookSignature.newSecret()
        if let given = body["secret"], !given.isNull {
            // The value itself is never part of a message.
            guard let s = given.stringValue, (16...256).contains(s.utf8.count),
                s.utf8.allSatisfy({ $0 > 32 && $0 < 127 })
            else {
                throw APIError.badField("secret", "expected 16 to 256 printable characters without spaces")
            }
            secret = s
        }
        switch try WebhookStore(try c.db()).create(
            organisationID: c.org, repositoryID: repo, url: endpoint.url, sealedSecret: try box.seal(secret),
            createdBy: c.userID)
        {
        case .tooMany:
            throw APIError(
                409, "The organisation has \(WebhookStore.maxPerOrganisation) webhooks already; remove one first")
        case .created(let hook):
            // The only answer that holds the secret: it is never shown again.
            var fields = hook.json.objectPairs ?? []
            fields.append(("secret", .string(secret)))
            let base = repo.map { "/api/repositories/\($0)/webhooks" } ?? "/api/organisation/webhooks"
            return .json(201, .object(fields), headers: [("Location", "\(base)/\(hook.id)")])
        }
    }

    /// The URL rules of every outbound endpoint, and the address rules at once where they can be applied
    /// now: a literal or a name that resolves to an address outbound requests may not reach is 422 (the
    /// sender checks every connection again after DNS).
    private func webhookEndpoint(_ raw: String) throws -> URLPolicy.Endpoint {
        if !config.allowPrivateNetworks, let host = URLComponents(string: raw)?.host,
            let ip = NetworkAddress.parse(NetworkAddress.unbracketed(host.lowercased())), let why = ip.refusal
        {
            // A well-formed URL to a refused address is unprocessable rather than malformed.
            throw APIError(422, "Invalid url: \(NetworkAddress.refusalMessage(host: host, address: ip, why))")
        }
        let endpoint: URLPolicy.Endpoint
        switch URLPolicy.endpoint(raw, field: "url", allowPrivateNetworks: config.allowPrivateNetworks) {
        case .success(let e): endpoint = e
        case .failure(let e): throw e
        }
        do {
            _ = try AddressGuard(allowPrivateNetworks: config.allowPrivateNetworks).check(host: endpoint.host)
        } catch let e as AddressGuard.Refused {
            throw APIError(422, "Invalid url: \(e.message)")
        }
        return endpoint
    }

    func deleteWebhook(_ c: Context, _ scope: WebhookScope, _ id: String) throws -> HTTPResponse {
        let repo = try webhookScope(c, scope)
        guard try WebhookStore(try c.db()).delete(id: id, organisationID: c.org, repositoryID: repo) else {
            throw APIError(404, "Webhook not found")
        }
        return HTTPResponse(status: 204, headers: [])
    }

    /// A page of the webhook's delivery log, newest first.
    func webhookDeliveries(_ c: Context, _ scope: WebhookScope, _ id: String) throws -> HTTPResponse {
        let repo = try webhookScope(c, scope)
        let store = WebhookStore(try c.db())
        guard let hook = try store.get(id: id, organisationID: c.org, repositoryID: repo) else {
            throw APIError(404, "Webhook not found")
        }
        let limit = try pageLimit(c, default: 50, max: 200)
        let after = try pageCursor(c, "after", .deliveries) { API.isTimeAndID($0) }
        let rows = try store.deliveries(
            webhookID: hook.id, limit: limit + 1, after: after.map { ($0.key[0], $0.key[1].lowercased()) })
        let (kept, next) = API.page(rows, limit: limit) { PageCursor(.deliveries, [$0.createdAt, $0.id]) }
        return .json(
            200, .object([("webhook_id", .string(hook.id)), ("deliveries", .array(kept.map(\.json))), ("next", next)]))
    }
}
