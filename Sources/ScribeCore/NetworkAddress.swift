/// An IPv4 or IPv6 address and whether outbound requests may reach it (SPEC §5: no loopback, private,
/// link-local or unique-local addresses unless the configuration allows private networks).
///
/// Parsing accepts every spelling that resolvers and URL parsers accept for a literal (`2130706433`,
/// `0177.0.0.1`, `0x7f.1`, `127.1`, `[::ffff:127.0.0.1]`), so that a refused address cannot hide behind
/// an unusual form; classification looks through IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms.
public enum NetworkAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6([UInt8])  // 16 bytes, network order

    /// Why an address is refused; `nil` from `refusal` means a public address.
    public enum Refusal: String, Sendable {
        case unspecified, loopback, `private`, sharedCGNAT = "shared (carrier-grade NAT)", linkLocal = "link-local"
        case uniqueLocal = "unique-local", multicast, broadcast, reserved, documentation
    }

    /// From raw bytes (4 or 16), as a socket address holds them.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self = .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
        case 16: self = .v6(bytes)
        default: return nil
        }
    }

    /// A URL's host without the brackets of an IPv6 literal (`[::1]` is `::1`).
    public static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// A literal address in any form a resolver accepts, with or without IPv6 brackets; nil for a name.
    public static func parse(_ literal: String) -> NetworkAddress? {
        let s = Substring(unbracketed(literal))
        if s.contains(":") { return parseV6(s).map { .v6($0) } }
        return parseV4(s).map { .v4($0) }
    }

    /// inet_aton's grammar: one to four parts, each decimal, octal (leading 0) or hexadecimal (0x);
    /// the last part fills the remaining bytes (`127.1` is 127.0.0.1, `2130706433` too).
    static func parseV4(_ s: Substring) -> UInt32? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for p in parts {
            guard !p.isEmpty, p.utf8.count <= 32, p.allSatisfy({ $0.isHexDigit || $0 == "x" || $0 == "X" }) else { return nil }
            let lower = p.lowercased()
            let v: UInt64?
            if lower.hasPrefix("0x") {
                v = lower.count == 2 ? 0 : UInt64(lower.dropFirst(2), radix: 16)
            } else if lower.hasPrefix("0") && lower.count > 1 {
                v = UInt64(lower.dropFirst(), radix: 8)
            } else {
                v = UInt64(lower, radix: 10)
            }
            guard let v else { return nil }
            values.append(v)
        }
        let last = values.removeLast()
        guard values.allSatisfy({ $0 <= 0xff }) else { return nil }
        let lastBits = UInt64(8 * (4 - values.count))
        guard last < (UInt64(1) << lastBits) else { return nil }
        var n: UInt64 = 0
        for (i, v) in values.enumerated() { n |= v << UInt64(24 - 8 * i) }
        return UInt32(n | last)
    }

    /// RFC 4291 text forms: groups of hex, one `::`, an optional dotted IPv4 tail. A zone (`%eth0`) is
    /// refused: it only names link-local addresses, which are refused anyway.
    static func parseV6(_ s: Substring) -> [UInt8]? {
        guard !s.contains("%"), s.utf8.count <= 64 else { return nil }
        var text = String(s)
        var tail: [UInt16] = []
        if let lastColon = text.lastIndex(of: ":"), text[lastColon...].contains(".") {
            let dotted = text[text.index(after: lastColon)...]
            guard dotted.split(separator: ".", omittingEmptySubsequences: false).count == 4,
                dotted.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                let v4 = parseV4(dotted)
            else { return nil }
            tail = [UInt16(v4 >> 16), UInt16(v4 & 0xffff)]
            text = String(text[...lastColon])
            if text.hasSuffix(":") && !text.hasSuffix("::") { text.removeLast() }
        }
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            for g in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(g.count), g.allSatisfy(\.isHexDigit), let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        let halves = text.components(separatedBy: "::")
        var words: [UInt16]
        switch halves.count {
        case 1:
            guard let all = groups(Substring(halves[0])) else { return nil }
            words = all + tail
            guard words.count == 8 else { return nil }
        case 2:
            guard let head = groups(Substring(halves[0])), let rest = groups(Substring(halves[1])) else { return nil }
            let known = head.count + rest.count + tail.count
            guard known <= 7 else { return nil }
            words = head + Array(repeating: 0, count: 8 - known) + rest + tail
        default:
            return nil
        }
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    public var description: String {
        switch self {
        case .v4(let n): return "\(n >> 24).\(n >> 16 & 0xff).\(n >> 8 & 0xff).\(n & 0xff)"
        case .v6(let b):
            if let v4 = NetworkAddress.embeddedV4(b, prefix: Array(repeating: 0, count: 10) + [0xff, 0xff]) {
                return "::ffff:" + NetworkAddress.v4(v4).description
            }
            let words = stride(from: 0, to: 16, by: 2).map { UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]) }
            // The longest run of two or more zero words becomes "::".
            var best = (start: -1, length: 0)
            var i = 0
            while i < 8 {
                guard words[i] == 0 else { i += 1; continue }
                var j = i
                while j < 8 && words[j] == 0 { j += 1 }
                if j - i > best.length { best = (i, j - i) }
                i = j
            }
            func hex(_ r: ArraySlice<UInt16>) -> String { r.map { String($0, radix: 16) }.joined(separator: ":") }
            guard best.length >= 2 else { return hex(words[...]) }
            return hex(words[..<best.start]) + "::" + hex(words[(best.start + best.length)...])
        }
    }

    /// Why outbound requests may not reach this address, or nil when they may.
    public var refusal: Refusal? {
        switch self {
        case .v4(let n): return NetworkAddress.refusalV4(n)
        case .v6(let b): return NetworkAddress.refusalV6(b)
        }
    }

    static func refusalV4(_ n: UInt32) -> Refusal? {
        func within(_ base: UInt32, _ bits: UInt32) -> Bool { bits == 0 || n >> (32 - bits) == base >> (32 - bits) }
        if n == 0xffff_ffff { return .broadcast }
        if within(0x0000_0000, 8) { return .unspecified }  // 0.0.0.0/8: "this network"; 0.0.0.0 reaches the host
        if within(0x7f00_0000, 8) { return .loopback }
        if within(0x0a00_0000, 8) || within(0xac10_0000, 12) || within(0xc0a8_0000, 16) { return .private }
        if within(0x6440_0000, 10) { return .sharedCGNAT }
        if within(0xa9fe_0000, 16) { return .linkLocal }
        if within(0xe000_0000, 4) { return .multicast }
        if within(0xf000_0000, 4) { return .reserved }
        if within(0xc000_0000, 24) || within(0xc612_0000, 15) { return .reserved }  // IETF protocol, benchmarking
        if within(0xc000_0200, 24) || within(0xc633_6400, 24) || within(0xcb00_7100, 24) { return .documentation }
        return nil
    }

    static func refusalV6(_ b: [UInt8]) -> Refusal? {
        let zero10: [UInt8] = Array(repeating: 0, count: 10)
        // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the embedded IPv4 address.
        for prefix in [zero10 + [0xff, 0xff], [0, 0x64, 0xff, 0x9b] + Array(repeating: 0, count: 8)] {
            if let v4 = embeddedV4(b, prefix: prefix) { return refusalV4(v4) }
        }
        if b.allSatisfy({ $0 == 0 }) { return .unspecified }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return .loopback }
        // IPv4-compatible (::a.b.c.d, deprecated): no public service uses it.
        if b[0..<12].allSatisfy({ $0 == 0 }) { return .reserved }
        if b[0] == 0x20 && b[1] == 0x02 {  // 6to4: 2002:AABB:CCDD::/48 carries a.b.c.d
            return refusalV4(UInt32(b[2]) << 24 | UInt32(b[3]) << 16 | UInt32(b[4]) << 8 | UInt32(b[5]))
        }
        if b[0] == 0xff { return .multicast }
        if b[0] & 0xfe == 0xfc { return .uniqueLocal }
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return .linkLocal }
        if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return .private }  // site-local (deprecated)
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return .documentation }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0 { return .reserved }  // Teredo hides its peer
        if b[0] == 0x01 && b[1..<8].allSatisfy({ $0 == 0 }) { return .reserved }  // 100::/64 discard
        return nil
    }

    private static func embeddedV4(_ b: [UInt8], prefix: [UInt8]) -> UInt32? {
        guard b.count == 16, Array(b[0..<12]) == prefix else { return nil }
        return UInt32(b[12]) << 24 | UInt32(b[13]) << 16 | UInt32(b[14]) << 8 | UInt32(b[15])
    }

    /// A sentence for people: "localhost (127.0.0.1) is refused: a loopback address".
    public static func refusalMessage(host: String, address: NetworkAddress, _ why: Refusal) -> String {
        let shown = address.description
        let bare = unbracketed(host)
        let subject = bare.isEmpty || bare == shown ? shown : "\(bare) (\(shown))"
        return "\(subject) is refused: outbound requests may not reach \(why.rawValue) addresses"
    }
}
