import Foundation

/// An opaque position in a list ordered by a key: the key of the last item of a page, so the next page
/// starts right after it through the list's index (no OFFSET, which reads every skipped row).
///
/// On the wire it is base64url (no padding) of a JSON array `[kind, key…]`; the kind ties a cursor to its
/// list, so a job cursor given to the repository list is a 400, never a silently wrong page.
public struct PageCursor: Equatable, Sendable {
    public enum Kind: String, Sendable {
        case jobs = "j"
        case repositories = "r"
        case objects = "o"
        case pages = "p"
        case deliveries = "d"
    }

    public let kind: Kind
    public let key: [String]

    public init(_ kind: Kind, _ key: [String]) {
        self.kind = kind
        self.key = key
    }

    /// A cursor for lists ordered by (timestamp, id): jobs and repositories.
    public static func timeAndID(_ kind: Kind, at: String, id: String) -> PageCursor { PageCursor(kind, [at, id]) }

    public var token: String {
        let json = JSONValue.array(([kind.rawValue] + key).map { .string($0) }).serialized()
        return Data(json.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The cursor in `token`, if it is one of `kind` whose key passes `valid`; nil for anything else.
    public static func decode(_ token: String, kind: Kind, valid: ([String]) -> Bool) -> PageCursor? {
        guard !token.isEmpty, token.utf8.count <= 1024,
            token.utf8.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else { return nil }
        var b64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.utf8.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64), let value = try? JSONValue.parse(Array(data)),
            let items = value.arrayValue, items.count >= 2
        else { return nil }
        let strings = items.compactMap(\.stringValue)
        guard strings.count == items.count, strings[0] == kind.rawValue else { return nil }
        let key = Array(strings.dropFirst())
        return valid(key) ? PageCursor(kind, key) : nil
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (48...57).contains(c) || (65...90).contains(c) || (97...122).contains(c)
    }
}
