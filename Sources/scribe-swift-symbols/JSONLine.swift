// JSON objects, one a line, keys in the order they are added, written straight into a byte
// buffer. A hand-written encoder: keeps key order stable (like ctags' own output) and keeps
// Foundation's JSONSerialization off the hot path. Strings are Swift Strings, so always valid UTF-8.

struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var empty = true

    mutating func begin() {
        bytes.append(UInt8(ascii: "{"))
        empty = true
    }

    mutating func end() {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
    }

    mutating func add(_ key: StaticString, _ value: String) {
        keyPrefix(key)
        appendQuoted(value)
    }

    mutating func add(_ key: StaticString, _ value: Int) {
        keyPrefix(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Adds the key only when the value is present and not empty.
    mutating func addIfPresent(_ key: StaticString, _ value: String?) {
        if let value, !value.isEmpty { add(key, value) }
    }

    private mutating func keyPrefix(_ key: StaticString) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }  // keys are plain ASCII
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func appendQuoted(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var runStart = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == 0x22 || b == 0x5C {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                runStart = i + 1
                switch b {
                case 0x22: bytes.append(contentsOf: [0x5C, 0x22])  // \"
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])  // \\
                case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
