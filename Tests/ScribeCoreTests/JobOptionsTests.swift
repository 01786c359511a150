import Testing

@testable import ScribeCore

@Suite("JobOptions")
struct JobOptionsTests {
    func parse(_ json: String) throws -> Result<JobOptions, APIError> { JobOptions.parse(try JSONValue.parse(json)) }

    func ok(_ json: String) throws -> JobOptions? {
        if case .success(let o) = try parse(json) { return o }
        return nil
    }

    func refused(_ json: String) throws -> APIError? {
        if case .failure(let e) = try parse(json) { return e }
        return nil
    }

    @Test("missing or null options are the defaults")
    func defaults() throws {
        guard case .success(let a) = JobOptions.parse(nil), case .success(let b) = JobOptions.parse(.null) else {
            Issue.record("defaults refused")
            return
        }
        #expect(a == JobOptions())
        #expect(b == JobOptions())
        #expect(a.maxRetries == 3 && a.generator == "builtin" && a.priority == 0 && !a.skipExisting && !a.regenerateAll)
        #expect(try ok("{}") == JobOptions())
    }

    @Test("every documented option is read")
    func allOptions() throws {
        let o = try #require(
            try ok(
                #"{"skip_existing":true,"max_retries":5,"branch":"release/1.2","commit":"ABCDEF1234567","generator":"llm","model":"gpt-4o-mini","priority":-3,"budget_usd":2.5,"modules":["src/core","."]}"#
            ))
        #expect(o.skipExisting)
        #expect(o.maxRetries == 5)
        #expect(o.branch == "release/1.2")
        #expect(o.commit == "abcdef1234567")
        #expect(o.generator == "llm")
        #expect(o.model == "gpt-4o-mini")
        #expect(o.priority == -3)
        #expect(o.budgetUSD == 2.5)
        #expect(o.modules == ["src/core", "."])
        // What is stored reads back the same.
        #expect(JobOptions.parse(o.json) == .success(o))
    }

    @Test("unknown keys are refused and named", arguments: ["skip_existng", "maxRetries", "regenerate", "Branch", ""])
    func unknownKey(_ key: String) throws {
        let e = try #require(try refused(#"{"\#(key)":true}"#))
        #expect(e.status == 400)
        #expect(e.message.contains("unknown option '\(key)'"))
    }

    @Test("options must be an object", arguments: ["[]", "true", "\"x\"", "3"])
    func notObject(_ json: String) throws {
        #expect(try refused(json)?.message == "Invalid options: expected an object")
    }

    @Test("max_retries is 0 to 10")
    func maxRetries() throws {
        #expect(try ok(#"{"max_retries":0}"#)?.maxRetries == 0)
        #expect(try ok(#"{"max_retries":10}"#)?.maxRetries == 10)
        #expect(try ok(#"{"max_retries":4.0}"#)?.maxRetries == 4)
        for bad in ["-1", "11", "2.5", "\"3\"", "true", "null", "1e9"] {
            #expect(try refused(#"{"max_retries":\#(bad)}"#)?.message.contains("max_retries") == true, "\(bad)")
        }
    }

    @Test("priority is -100 to 100")
    func priority() throws {
        #expect(try ok(#"{"priority":-100}"#)?.priority == -100)
        #expect(try ok(#"{"priority":100}"#)?.priority == 100)
        for bad in ["-101", "101", "0.5", "\"1\""] {
            #expect(try refused(#"{"priority":\#(bad)}"#) != nil, "\(bad)")
        }
    }

    @Test("skip_existing and regenerate_all exclude each other")
    func exclusive() throws {
        let e = try #require(try refused(#"{"skip_existing":true,"regenerate_all":true}"#))
        #expect(e.message.contains("exclude each other"))
        #expect(try ok(#"{"skip_existing":false,"regenerate_all":true}"#)?.regenerateAll == true)
        #expect(try ok(#"{"skip_existing":true,"regenerate_all":false}"#)?.skipExisting == true)
        #expect(try refused(#"{"skip_existing":"yes"}"#) != nil)
        #expect(try refused(#"{"regenerate_all":1}"#) != nil)
    }

    @Test("a commit is 7 to 40 hexadecimal digits, stored in lower case")
    func commit() throws {
        #expect(try ok(#"{"commit":"abc1234"}"#)?.commit == "abc1234")
        #expect(
            try ok(#"{"commit":"0123456789ABCDEF0123456789abcdef01234567"}"#)?.commit
                == "0123456789abcdef0123456789abcdef01234567")
        #expect(try ok(#"{"commit":null}"#)?.commit == nil)
        for bad in [
            "abc123", "0123456789abcdef0123456789abcdef012345678", "g123456", "-abcdef0", "HEAD~1", "abc1234 ",
            "main", "abc1234;rm", "",
        ] {
            #expect(try refused(#"{"commit":"\#(bad)"}"#)?.message.contains("commit hash") == true, "\(bad)")
        }
        #expect(try refused(#"{"commit":1234567}"#) != nil)
    }

    /// `Character.isHexDigit` is true for fullwidth digits and letters (U+FF10…); a commit must be ASCII hex,
    /// as git and the cache key expect.
    @Test("a commit of fullwidth \"hex\" characters is refused")
    func commitFullwidth() throws {
        #expect(try refused(#"{"commit":"ａｂｃ１２３４"}"#) != nil)
    }

    @Test("branch names: ordinary ones pass, option-like and git-invalid ones are refused")
    func branch() throws {
        for good in ["main", "release/1.2", "feature/x_y-z", "v1.0+build"] {
            #expect(try ok(#"{"branch":"\#(good)"}"#)?.branch == good)
        }
        for bad in [
            "-x", "--upload-pack=touch", "a..b", "a b", "/main", "main/", "a//b", "x.lock", "@{-1}", "a@{1}", "a~1",
            "a^", "a:b", "a\\\\b", "", "ブランチ",
        ] {
            #expect(try refused(#"{"branch":"\#(bad)"}"#)?.message.contains("branch") == true, "\(bad)")
        }
        #expect(try ok(#"{"branch":null}"#)?.branch == nil)
        #expect(try refused(#"{"branch":"\#(String(repeating: "a", count: 201))"}"#) != nil)
    }

    @Test("generator is builtin or llm; model, budget and modules are checked")
    func others() throws {
        #expect(try refused(#"{"generator":"gpt"}"#)?.message.contains("builtin, llm") == true)
        #expect(try refused(#"{"generator":null}"#) != nil)
        #expect(try refused(#"{"model":""}"#) != nil)
        #expect(try refused(#"{"model":"\#(String(repeating: "m", count: 201))"}"#) != nil)
        #expect(try refused(#"{"budget_usd":0}"#) != nil)
        #expect(try refused(#"{"budget_usd":-1}"#) != nil)
        #expect(try refused(#"{"budget_usd":"5"}"#) != nil)
        #expect(try refused(#"{"budget_usd":1000000}"#) != nil)
        #expect(try ok(#"{"budget_usd":0.01}"#)?.budgetUSD == 0.01)
        #expect(try refused(#"{"modules":[]}"#) != nil)
        #expect(try refused(#"{"modules":["../etc"]}"#) != nil)
        #expect(try refused(#"{"modules":[".git"]}"#) != nil)
        #expect(try refused(#"{"modules":[1]}"#) != nil)
        #expect(try refused(#"{"modules":"src"}"#) != nil)
    }
}
