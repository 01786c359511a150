import ScribeCore
import ScribeStore

/// The request side of every paged list: `limit` with a maximum, and an opaque cursor that is validated
/// (a malformed one is 400, never a silently wrong page).
extension API {
    func pageLimit(_ c: Context, default fallback: Int, max: Int) throws -> Int {
        guard let l = c.request.query["limit"], !l.isEmpty else { return fallback }
        guard l.utf8.count <= 6, let n = Int(l), (1...max).contains(n) else { throw APIError.badField("limit", "expected 1 to \(max)") }
        return n
    }

    /// The cursor in query parameter `param`, of `kind`, whose key passes `valid`; nil when absent.
    func pageCursor(_ c: Context, _ param: String, _ kind: PageCursor.Kind, valid: ([String]) -> Bool) throws -> PageCursor? {
        guard let raw = c.request.query[param], !raw.isEmpty else { return nil }
        guard let cursor = PageCursor.decode(raw, kind: kind, valid: valid) else {
            throw APIError.badField(param, "expected the `next` value of the previous page")
        }
        return cursor
    }

    /// A key of (timestamp, id), as jobs and repositories are ordered.
    static func isTimeAndID(_ key: [String]) -> Bool {
        key.count == 2 && key[0].utf8.count <= 40 && API.isTimestamp(key[0]) && Router.isUUID(key[1])
    }

    /// `items` cut to `limit` (one more was read to learn whether a next page exists), and the cursor after
    /// the last one kept when it does.
    static func page<T>(_ items: [T], limit: Int, cursor: (T) -> PageCursor) -> ([T], JSONValue) {
        guard items.count > limit, limit > 0 else { return (items, .null) }
        let kept = Array(items.prefix(limit))
        return (kept, .string(cursor(kept[limit - 1]).token))
    }
}
