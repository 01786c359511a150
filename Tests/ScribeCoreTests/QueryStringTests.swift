import Testing

@testable import ScribeCore

@Suite("Query strings")
struct QueryStringTests {
    @Test("names and values are percent-decoded, plus is a space, the first of a repeated name wins")
    func decodes() throws {
        let q = try QueryString.parse("status=failed&repository_id=a%2Db&x=1+2&status=queued&empty=&flag")
        #expect(q["status"] == "failed")
        #expect(q["repository_id"] == "a-b")
        #expect(q["x"] == "1 2")
        #expect(q["empty"] == "")
        #expect(q["flag"] == "")
        #expect(try QueryString.parse("").isEmpty)
        #expect(try QueryString.parse("name=%C3%A9")["name"] == "é")
    }

    @Test("a malformed escape or invalid UTF-8 in a value is an error naming the parameter", arguments: [
        "status=failed%zz", "status=%", "status=%4", "status=%+f", "status=%ff", "status=%C3", "limit=1&status=x%g0",
    ])
    func malformedValue(_ raw: String) {
        #expect(throws: QueryString.Malformed(parameter: "status")) { try QueryString.parse(raw) }
    }

    @Test("a malformed name is an error too, without echoing the name")
    func malformedName() {
        #expect(throws: QueryString.Malformed(parameter: nil)) { try QueryString.parse("sta%zztus=failed") }
        let e = QueryString.Malformed(parameter: "status").apiError
        #expect(e.status == 400)
        #expect(e.message.contains("status"))
    }
}
