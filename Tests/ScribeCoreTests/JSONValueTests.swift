import Testing

@testable import ScribeCore

@Suite("JSONValue")
struct JSONValueTests {
    static func parses(_ text: String) -> Bool { (try? JSONValue.parse(text)) != nil }

    // MARK: Round trips

    static let values: [JSONValue] = [
        .null, .bool(true), .bool(false), .int(0), .int(-1), .int(42), .int(Int64.max), .int(Int64.min),
        .double(1.5), .double(-0.25), .double(1e300), .double(3.141592653589793), .double(1.5e-7),
        .string(""), .string("plain"), .string("héllo wörld"), .string("emoji 😀 and 中文"),
        .string("quote \" backslash \\ slash /"), .string("<script>alert('x')</script> & more"),
        .string("lines\nand\ttabs\r"), .string("\u{0}\u{1}\u{1f}\u{7f}"), .string("\u{2028}\u{2029}"),
        .array([]), .object([]),
        .array([.int(1), .string("two"), .null, .array([.bool(false)])]),
        .object([("z", .int(1)), ("a", .object([("nested", .array([.double(0.5)]))])), ("m", .null)]),
    ]

    @Test("parse(serialise(v)) gives v back", arguments: values)
    func roundTrip(_ v: JSONValue) throws {
        let text = v.serialized()
        #expect(try JSONValue.parse(text) == v, "\(text)")
        // Serialising is deterministic: the same value, the same bytes.
        #expect(try JSONValue.parse(text).serialized() == text)
    }

    @Test("object keys keep their order")
    func keyOrder() throws {
        let v = JSONValue.object([("b", .int(1)), ("a", .int(2)), ("c", .int(3))])
        #expect(v.serialized() == #"{"b":1,"a":2,"c":3}"#)
        let parsed = try JSONValue.parse(#"{"zeta":1,"alpha":2}"#)
        #expect(parsed.objectPairs?.map(\.0) == ["zeta", "alpha"])
    }

    @Test("a duplicated key keeps one entry, the last value")
    func duplicateKeys() throws {
        let v = try JSONValue.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(v.objectPairs?.count == 2)
        #expect(v["a"] == .int(3))
    }

    // MARK: Serialising

    @Test("<, > and & are escaped so JSON can sit inside HTML")
    func htmlEscapes() {
        #expect(JSONValue.string("</script><b>&").serialized() == #""\u003c/script\u003e\u003cb\u003e\u0026""#)
        #expect(!JSONValue.object([("k<", .string("<"))]).serialized().contains("<"))
    }

    @Test("control characters are escaped, with the short forms where JSON has them")
    func controlEscapes() {
        #expect(JSONValue.string("\n\r\t").serialized() == #""\n\r\t""#)
        #expect(JSONValue.string("\u{0}").serialized() == #""\u0000""#)
        #expect(JSONValue.string("\u{1}\u{8}\u{c}\u{1f}").serialized() == #""\u0001\u0008\u000c\u001f""#)
        #expect(JSONValue.string("\u{2028}\u{2029}").serialized() == #""\u2028\u2029""#)
        #expect(JSONValue.string("\"\\").serialized() == #""\"\\""#)
        // No raw byte below 0x20 ever leaves the serialiser.
        let all = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init)))
        #expect(!JSONValue.string(all).serialized().utf8.contains { $0 < 0x20 })
    }

    @Test("non-ASCII text is written as UTF-8, not escaped")
    func unicodeRaw() {
        #expect(JSONValue.string("é😀").serialized() == "\"é😀\"")
    }

    @Test("numbers: integral doubles without a fraction, non-finite as null")
    func numbers() {
        #expect(JSONValue.int(-7).serialized() == "-7")
        #expect(JSONValue.double(2).serialized() == "2")
        #expect(JSONValue.double(0.1).serialized() == "0.1")
        #expect(JSONValue.double(.nan).serialized() == "null")
        #expect(JSONValue.double(.infinity).serialized() == "null")
        #expect(JSONValue.double(-.infinity).serialized() == "null")
        #expect(Self.parses(JSONValue.double(1e300).serialized()))
        #expect(Self.parses(JSONValue.double(-2.5e-300).serialized()))
    }

    // MARK: Parsing

    @Test("unicode escapes, surrogate pairs and the short escapes decode")
    func escapesDecode() throws {
        #expect(try JSONValue.parse(#""\u00e9\u00E9""#) == .string("éé"))
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONValue.parse(#""\uD834\uDD1E""#) == .string("𝄞"))
        #expect(try JSONValue.parse(#""\u003c\u0000""#) == .string("<\u{0}"))
        #expect(try JSONValue.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{c}\n\r\t"))
        #expect(try JSONValue.parse("\"é😀\"") == .string("é😀"))
    }

    @Test(
        "broken escapes and broken surrogates are refused",
        arguments: [
            #""\ud83d""#, #""\ud83d x""#, #""\ud83d\u0041""#, #""\ude00""#, #""\ude00\ud83d""#, #""\ud83d\n""#,
            #""\u12""#, #""\u12G4""#, #""\x41""#, #""\a""#, #""\'""#, #""\"#, #""\u""#,
        ])
    func badEscapes(_ text: String) {
        #expect(!Self.parses(text))
    }

    @Test("raw control characters inside a string are refused")
    func rawControls() {
        for b: UInt8 in [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F] {
            #expect((try? JSONValue.parse([0x22, 0x61, b, 0x62, 0x22])) == nil, "byte \(b)")
        }
    }

    @Test("invalid UTF-8 is refused")
    func invalidUTF8() {
        #expect((try? JSONValue.parse([0x22, 0xFF, 0x22])) == nil)
        #expect((try? JSONValue.parse([0x22, 0xC3, 0x22])) == nil)
        #expect((try? JSONValue.parse([0x22, 0xED, 0xA0, 0x80, 0x22])) == nil)  // an encoded surrogate
    }

    @Test(
        "malformed documents are refused",
        arguments: [
            "", " ", "[1,2,]", "[,1]", "[1,,2]", #"{"a":1,}"#, #"{,"a":1}"#, "{a:1}", "{'a':1}", #"{"a" 1}"#,
            #"{"a":}"#,
            #"{"a"}"#, "[1", "[1}", #"{"a":1"#, #"{"a":1]"#, "nul", "tru", "True", "FALSE", "None", "undefined", "NaN",
            "Infinity", "-Infinity", "'text'", "text", "truex", "nullnull", "{} {}", "[] x", "1 2", "\"open",
            "01", "00", "-01", "007", "+1", "-", "1.", ".5", "1.e3", "1e", "1e+", "--1", "0x10", "1_000", "\u{feff}{}",
        ])
    func malformed(_ text: String) {
        #expect(!Self.parses(text), "\(text)")
    }

    @Test("well-formed scalars and whitespace around the document are fine")
    func wellFormed() throws {
        #expect(try JSONValue.parse(" \t\r\n{\"a\" : [ 1 , 2 ] }\n ") == .object([("a", .array([.int(1), .int(2)]))]))
        #expect(try JSONValue.parse("0") == .int(0))
        #expect(try JSONValue.parse("-0") == .int(0))
        #expect(try JSONValue.parse("0.5") == .double(0.5))
        #expect(try JSONValue.parse("-0.5e2") == .double(-50))
        #expect(try JSONValue.parse("1E+2") == .double(100))
        #expect(try JSONValue.parse("9223372036854775807") == .int(Int64.max))
        #expect(try JSONValue.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSONValue.parse("null") == .null)
        #expect(try JSONValue.parse("\"\"") == .string(""))
    }

    @Test("nesting is limited to 64 levels")
    func depth() {
        func arrays(_ n: Int) -> String { String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        func objects(_ n: Int) -> String {
            String(repeating: #"{"a":"#, count: n) + "1" + String(repeating: "}", count: n)
        }
        #expect(Self.parses(arrays(64)))
        #expect(!Self.parses(arrays(65)))
        #expect(!Self.parses(arrays(100_000)))  // no stack overflow either
        #expect(Self.parses(objects(63)))
        #expect(!Self.parses(objects(65)))
        #expect(!Self.parses(String(repeating: "[", count: 100_000)))
    }

    @Test("typed accessors")
    func accessors() throws {
        let v = try JSONValue.parse(#"{"i":3,"d":3.0,"f":3.5,"s":"x","b":true,"n":null,"a":[1]}"#)
        #expect(v["i"]?.intValue == 3)
        #expect(v["d"]?.intValue == 3)
        #expect(v["f"]?.intValue == nil)
        #expect(v["f"]?.doubleValue == 3.5)
        #expect(v["s"]?.stringValue == "x")
        #expect(v["s"]?.intValue == nil)
        #expect(v["b"]?.boolValue == true)
        #expect(v["n"]?.isNull == true)
        #expect(v["a"]?.arrayValue == [.int(1)])
        #expect(v["missing"] == nil)
        #expect(JSONValue.array([])["i"] == nil)
    }
}
