import Foundation

/// A JSON value with ordered object keys, so responses are stable and readable.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case let .object(pairs) = self { return pairs.first(where: { $0.0 == key })?.1 }
        return nil
    }

    public var stringValue: String? { if case let .string(s) = self { return s }; return nil }
    public var boolValue: Bool? { if case let .bool(b) = self { return b }; return nil }
    public var isNull: Bool { if case .null = self { return true }; return false }
    public var intValue: Int64? {
        switch self {
        case let .int(i): return i
        case let .double(d) where d == d.rounded() && abs(d) < 9e15: return Int64(d)
        default: return nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        default: return nil
        }
    }
    public var objectPairs: [(String, JSONValue)]? { if case let .object(p) = self { return p }; return nil }
    public var arrayValue: [JSONValue]? { if case let .array(a) = self { return a }; return nil }

    public static func str(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    public static func num(_ i: Int?) -> JSONValue { i.map { .int(Int64($0)) } ?? .null }
    public static func num(_ i: Int64?) -> JSONValue { i.map { .int($0) } ?? .null }
    public static func num(_ d: Double?) -> JSONValue { d.map { .double($0) } ?? .null }

    // MARK: Serialising

    public func serialized() -> String {
        var out = ""
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .double(d):
            if d.isFinite {
                if d == d.rounded() && abs(d) < 1e15 { out += String(Int64(d)) } else { out += String(d) }
            } else {
                out += "null"
            }
        case let .string(s): JSONValue.writeString(s, to: &out)
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case let .object(pairs):
            out += "{"
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(k, to: &out)
                out += ":"
                v.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // Escaped so that JSON can be embedded anywhere (HTML, scripts) without surprises.
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            default:
                if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    // MARK: Parsing

    public enum ParseError: Error, Equatable { case invalid }

    /// Parses a JSON document (RFC 8259); the top level may be any value. Depth is limited.
    public static func parse(_ data: [UInt8]) throws -> JSONValue {
        var parser = Parser(bytes: data)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.pos == data.count else { throw ParseError.invalid }
        return value
    }

    public static func parse(_ text: String) throws -> JSONValue { try parse(Array(text.utf8)) }

    private struct Parser {
        let bytes: [UInt8]
        var pos = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while pos < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[pos]) { pos += 1 }
        }

        mutating func expect(_ literal: String) throws {
            for b in literal.utf8 {
                guard pos < bytes.count, bytes[pos] == b else { throw ParseError.invalid }
                pos += 1
            }
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < 64, pos < bytes.count else { throw ParseError.invalid }
            switch bytes[pos] {
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["):
                pos += 1
                var items: [JSONValue] = []
                skipSpace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard pos < bytes.count else { throw ParseError.invalid }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
                    throw ParseError.invalid
                }
            case UInt8(ascii: "{"):
                pos += 1
                var pairs: [(String, JSONValue)] = []
                skipSpace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(pairs) }
                while true {
                    skipSpace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw ParseError.invalid }
                    let key = try string()
                    skipSpace()
                    try expect(":")
                    skipSpace()
                    let v = try value(depth: depth + 1)
                    if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = v } else { pairs.append((key, v)) }
                    skipSpace()
                    guard pos < bytes.count else { throw ParseError.invalid }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(pairs) }
                    throw ParseError.invalid
                }
            default: return try number()
            }
        }

        mutating func number() throws -> JSONValue {
            let start = pos
            var isInteger = true
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < bytes.count, (48...57).contains(bytes[pos]) else { throw ParseError.invalid }
            if bytes[pos] == 48, pos + 1 < bytes.count, (48...57).contains(bytes[pos + 1]) { throw ParseError.invalid }
            while pos < bytes.count, (48...57).contains(bytes[pos]) { pos += 1 }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
                isInteger = false
                pos += 1
                guard pos < bytes.count, (48...57).contains(bytes[pos]) else { throw ParseError.invalid }
                while pos < bytes.count, (48...57).contains(bytes[pos]) { pos += 1 }
            }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
                isInteger = false
                pos += 1
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
                guard pos < bytes.count, (48...57).contains(bytes[pos]) else { throw ParseError.invalid }
                while pos < bytes.count, (48...57).contains(bytes[pos]) { pos += 1 }
            }
            let text = String(decoding: bytes[start..<pos], as: UTF8.self)
            if isInteger, let i = Int64(text) { return .int(i) }
            guard let d = Double(text) else { throw ParseError.invalid }
            return .double(d)
        }

        mutating func hex4() throws -> UInt32 {
            guard pos + 4 <= bytes.count else { throw ParseError.invalid }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[pos]
                pos += 1
                v <<= 4
                switch c {
                case 48...57: v |= UInt32(c - 48)
                case 65...70: v |= UInt32(c - 55)
                case 97...102: v |= UInt32(c - 87)
                default: throw ParseError.invalid
                }
            }
            return v
        }

        mutating func string() throws -> String {
            pos += 1  // opening quote
            var out: [UInt8] = []
            while true {
                guard pos < bytes.count else { throw ParseError.invalid }
                let c = bytes[pos]
                pos += 1
                if c == UInt8(ascii: "\"") { break }
                if c < 0x20 { throw ParseError.invalid }
                if c != UInt8(ascii: "\\") { out.append(c); continue }
                guard pos < bytes.count else { throw ParseError.invalid }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u")
                        else { throw ParseError.invalid }
                        pos += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw ParseError.invalid }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw ParseError.invalid }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw ParseError.invalid
                }
            }
            guard let s = String(validating: out, as: UTF8.self) else { throw ParseError.invalid }
            return s
        }
    }
}
