import Testing

@testable import ScribeCore

@Suite("ZipArchive and DocSearch")
struct ZipArchiveTests {
    @Test("CRC-32 is the standard one (the check value of \"123456789\")")
    func crc() {
        #expect(ZipArchive.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test("an archive has one local header per entry and an end record that counts them")
    func layout() {
        var z = ZipArchive()
        z.add(path: "docs/index.html", contents: Array("<p>hi</p>".utf8))
        z.add(path: "docs/ü.md", contents: [])
        let b = z.bytes()
        #expect(Array(b.prefix(4)) == [0x50, 0x4b, 0x03, 0x04])
        let end = Array(b.suffix(22))
        #expect(Array(end.prefix(4)) == [0x50, 0x4b, 0x05, 0x06])
        #expect(end[10] == 2 && end[11] == 0)
    }

    @Test("search ranks an exact name first, then prefixes, then doc text, and caps the results")
    func search() throws {
        let index = try JSONValue.parse(
            """
            {"entries": [
              {"kind": "symbol", "name": "cheapest_widget", "qualified_name": "cheapest_widget", "text": "The cheapest widget."},
              {"kind": "heading", "title": "Cheapest things", "page": "index.md"},
              {"kind": "symbol", "name": "cheapest", "qualified_name": "cheapest", "text": "Finds the least expensive widget."}
            ]}
            """)
        let names = DocSearch.search(index, query: "Cheapest", limit: 10).map { ($0["qualified_name"] ?? $0["title"])?.stringValue }
        #expect(names == ["cheapest", "cheapest_widget", "Cheapest things"])
        #expect(DocSearch.search(index, query: "expensive", limit: 10).map { $0["name"]?.stringValue } == ["cheapest"])
        #expect(DocSearch.search(index, query: "cheap", limit: 1).count == 1)
        #expect(DocSearch.search(index, query: "  ", limit: 10).isEmpty)
    }
}
