/// Parses `a=1&b=two` with percent-decoding (`+` as space). A malformed escape (`%zz`, a lone `%`) or
/// bytes that are not UTF-8 make the whole query invalid: a value silently read as empty would turn a
/// filter the client asked for into no filter at all.
public enum QueryString {
    public struct Malformed: Error, Equatable, Sendable {
        /// The parameter whose name or value is malformed, when its name itself can be read.
        public let parameter: String?

        /// The 400 the API answers.
        public var apiError: APIError {
            if let parameter { return APIError(400, "Invalid query string: \(parameter) is not valid percent-encoded UTF-8") }
            return APIError(400, "Invalid query string: not valid percent-encoded UTF-8")
        }
    }

    public static func parse(_ q: String) throws(Malformed) -> [String: String] {
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let k = decode(kv[0]) else { throw Malformed(parameter: nil) }
            guard let v = kv.count > 1 ? decode(kv[1]) : "" else {
                throw Malformed(parameter: k.utf8.count <= 64 && k.unicodeScalars.allSatisfy { $0.value >= 32 } ? k : nil)
            }
            if !k.isEmpty && out[k] == nil { out[k] = v }
        }
        return out
    }

    /// `+` is a space; `%` must be followed by exactly two hexadecimal digits; the result must be UTF-8.
    static func decode(_ s: Substring) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let c = it.next() {
            switch c {
            case UInt8(ascii: "+"): out.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let h = it.next().flatMap(hex), let l = it.next().flatMap(hex) else { return nil }
                out.append(h << 4 | l)
            default: out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
