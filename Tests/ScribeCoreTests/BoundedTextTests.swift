import Testing

@testable import ScribeCore

@Suite("Bounded text")
struct BoundedTextTests {
    @Test("text that fits is kept as is")
    func fits() {
        #expect(BoundedText.bounded("short", maxBytes: 64) == "short")
        let exact = String(repeating: "é", count: 32)  // 64 bytes
        #expect(BoundedText.bounded(exact, maxBytes: 64) == exact)
    }

    @Test("long text is cut to the limit and ends with the marker")
    func cut() {
        let long = String(repeating: "x", count: 10_000)
        let b = BoundedText.errorMessage(long)
        #expect(b.utf8.count == BoundedText.errorMessageMaxBytes)
        #expect(b.hasSuffix(BoundedText.marker))
        #expect(b.hasPrefix("xxxx"))
    }

    @Test("a cut never splits a multi-byte sequence, for every offset of 2-, 3- and 4-byte characters")
    func utf8Boundaries() {
        for unit in ["é", "€", "😀", "a€😀é"] {
            for shift in 0..<4 {
                let s = String(repeating: "a", count: shift) + String(repeating: unit, count: 400)
                for limit in stride(from: 20, through: 120, by: 1) {
                    let b = BoundedText.bounded(s, maxBytes: limit)
                    #expect(b.utf8.count <= limit)
                    #expect(b.hasSuffix(BoundedText.marker))
                    // Valid UTF-8 and a prefix of the original, cut where a scalar ends.
                    let body = String(b.utf8.dropLast(BoundedText.marker.utf8.count))!
                    #expect(s.unicodeScalars.starts(with: body.unicodeScalars))
                    #expect(limit - b.utf8.count < 4, "no more than a partial character is dropped")
                }
            }
        }
    }
}
