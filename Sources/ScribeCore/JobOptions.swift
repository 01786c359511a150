/// What a person may ask of a job (SPEC §4 `options`), validated at the API boundary.
public struct JobOptions: Equatable, Sendable {
    public var skipExisting = false
    public var regenerateAll = false
    public var maxRetries = 3
    public var branch: String? = nil
    public var commit: String? = nil
    public var generator = "builtin"
    public var model: String? = nil
    public var priority = 0
    public var budgetUSD: Double? = nil
    public var modules: [String]? = nil

    public init() {}

    public static let generators = ["builtin", "llm"]

    /// Parses `options` from a request body; unknown keys are refused so typos do not pass silently.
    public static func parse(_ value: JSONValue?) -> Result<JobOptions, APIError> {
        var o = JobOptions()
        guard let value, !value.isNull else { return .success(o) }
        guard let pairs = value.objectPairs else { return .failure(.badField("options", "expected an object")) }
        for (key, v) in pairs {
            if let error = o.set(key, v) { return .failure(error) }
        }
        if o.skipExisting && o.regenerateAll {
            return .failure(.badField("options", "skip_existing and regenerate_all exclude each other"))
        }
        return .success(o)
    }

    /// Sets one option from its JSON value, or says what it expects; `null` leaves an optional one unset.
    private mutating func set(_ key: String, _ v: JSONValue) -> APIError? {
        switch key {
        case "skip_existing":
            guard let b = v.boolValue else { return .badField(key, "expected true or false") }
            skipExisting = b
        case "regenerate_all":
            guard let b = v.boolValue else { return .badField(key, "expected true or false") }
            regenerateAll = b
        case "max_retries":
            guard let i = v.intValue, (0...10).contains(i) else { return .badField(key, "expected 0 to 10") }
            maxRetries = Int(i)
        case "branch":
            if v.isNull { return nil }
            guard let s = v.stringValue, GitRef.isSafeBranch(s) else { return .badField(key, "not a valid branch name") }
            branch = s
        case "commit":
            if v.isNull { return nil }
            guard let s = v.stringValue, GitRef.isCommitish(s) else {
                return .badField(key, "expected a commit hash (7 to 40 hexadecimal characters)")
            }
            commit = s.lowercased()
        case "generator":
            guard let s = v.stringValue, Self.generators.contains(s) else {
                return .badField(key, "expected one of \(Self.generators.joined(separator: ", "))")
            }
            generator = s
        case "model":
            if v.isNull { return nil }
            guard let s = v.stringValue, !s.isEmpty, s.utf8.count <= 200 else { return .badField(key, "expected a model name") }
            model = s
        case "priority":
            guard let i = v.intValue, (-100...100).contains(i) else { return .badField(key, "expected -100 to 100") }
            priority = Int(i)
        case "budget_usd":
            if v.isNull { return nil }
            guard let d = v.doubleValue, d > 0, d < 1_000_000 else { return .badField(key, "expected a positive amount") }
            budgetUSD = d
        case "modules":
            if v.isNull { return nil }
            guard let items = v.arrayValue, !items.isEmpty, items.count <= 10_000 else {
                return .badField(key, "expected a non-empty list of module paths")
            }
            var mods: [String] = []
            for item in items {
                guard let s = item.stringValue, PagePath.normalise(s) != nil || s == "." else {
                    return .badField(key, "expected module paths such as \"src/core\"")
                }
                mods.append(s)
            }
            modules = mods
        default:
            return .badField("options", "unknown option '\(key)'")
        }
        return nil
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("skip_existing", .bool(skipExisting)), ("regenerate_all", .bool(regenerateAll)),
            ("max_retries", .num(maxRetries)), ("generator", .string(generator)), ("priority", .num(priority)),
        ]
        if let branch { pairs.append(("branch", .string(branch))) }
        if let commit { pairs.append(("commit", .string(commit))) }
        if let model { pairs.append(("model", .string(model))) }
        if let budgetUSD { pairs.append(("budget_usd", .double(budgetUSD))) }
        if let modules { pairs.append(("modules", .array(modules.map { .string($0) }))) }
        return .object(pairs)
    }
}

public enum GitRef {
    /// A conservative subset of git's ref rules; it also keeps option-like names (`-x`) out of git's argv.
    public static func isSafeBranch(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 200, !s.hasPrefix("-"), !s.hasPrefix("/"), !s.hasSuffix("/"),
            !s.hasSuffix(".lock"), !s.contains(".."), !s.contains("//"), !s.contains("@{")
        else { return false }
        return s.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || "-_./+".unicodeScalars.contains(c)
        }
    }

    public static func isCommitish(_ s: String) -> Bool {
        (7...40).contains(s.utf8.count) && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }
}
