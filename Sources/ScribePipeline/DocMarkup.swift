import Foundation

/// A doc comment's structure, read from the markup its language uses: JSDoc/Javadoc/PHPDoc tags
/// (`@param`, `@returns`, `@throws`, `@deprecated`), reST fields (`:param x:`), Google and NumPy
/// sections (`Args:`, `Parameters` + `----------`), C# XML (`<summary>`, `<param>`, `<returns>`,
/// `<exception>`, `<inheritdoc/>`) and DocC lists (`- Parameter x:`, `- Returns:`, `- Throws:`).
/// Text without markup is all summary.
public struct DocMarkup: Sendable, Equatable {
    public struct Param: Sendable, Equatable {
        public var name: String
        public var text: String
    }

    public var summary: String = ""
    public var params: [Param] = []
    public var returns: String? = nil
    public var throwsText: [String] = []
    public var deprecated: String? = nil
    /// `<inheritdoc/>`: the text is the overridden declaration's.
    public var inherits = false

    /// Tags that are metadata only (`@public`, `@api private`, `:type x:`): never shown, and never raw.
    public var hasTags = false

    public var isStructured: Bool { !params.isEmpty || returns != nil || !throwsText.isEmpty || deprecated != nil || inherits || hasTags }

    public static func parse(_ doc: String) -> DocMarkup {
        if doc.contains("<summary>") || doc.contains("<param ") || doc.contains("<inheritdoc") || doc.contains("<returns>") {
            return xml(doc)
        }
        let lines = doc.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var reader = LineReader()
        var i = 0
        while i < lines.count { i += reader.read(lines, at: i) }
        return reader.finish()
    }

    static let googleSections: [String: String] = [
        "args": "params", "arguments": "params", "parameters": "params", "params": "params", "keyword args": "params",
        "returns": "returns", "return": "returns", "yields": "returns", "raises": "throws", "throws": "throws",
    ]
    static let numpySections: [String: String] = [
        "parameters": "params", "other parameters": "params", "returns": "returns", "yields": "returns", "raises": "throws",
    ]

    /// `name (type): text`, `name: text`, `name : type` (NumPy; its text follows on deeper lines).
    static func entry(_ line: String) -> (String, String) {
        let t = line.hasPrefix("- ") ? String(line.dropFirst(2)) : line  // DocC's `- x: text` under `- Parameters:`
        if let r = t.range(of: " : ") { return (String(t[..<r.lowerBound]), "") }
        guard let colon = t.firstIndex(of: ":") else { return (t, "") }
        var name = String(t[..<colon]).trimmingCharacters(in: .whitespaces)
        if let paren = name.firstIndex(of: "(") { name = String(name[..<paren]).trimmingCharacters(in: .whitespaces) }
        return (name, String(t[t.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
    }

    static func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : b.isEmpty ? a : a + " " + b }

    static func jsTag(_ t: String) -> (name: String, rest: String)? {
        guard t.hasPrefix("@"), t.count > 1 else { return nil }
        let body = t.dropFirst()
        let name = body.prefix { $0.isLetter }
        guard !name.isEmpty, !(body.dropFirst(name.count).first.map { $0 == "." || $0 == "(" } ?? false) else { return nil }
        return (name.lowercased(), String(body.dropFirst(name.count)).trimmingCharacters(in: .whitespaces))
    }

    /// `{Type} name - text`, `[name=default] text`, `name text`.
    static func splitParam(_ rest: String) -> (String, String) {
        let s = dropType(rest)
        var name = String(s.prefix { !$0.isWhitespace })
        var text = String(s.dropFirst(name.count)).trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("[") {
            name = String(name.dropFirst().prefix { $0 != "=" && $0 != "]" })
        }
        if text.hasPrefix("- ") { text = String(text.dropFirst(2)) }
        // `@param {String} body` with no words: the type is all the source says about it.
        if text.isEmpty, let type = jsType(rest) { text = type }
        return (name, text)
    }

    /// The `{Type}` that starts a JSDoc tag's text, braces included.
    static func jsType(_ s: String) -> String? {
        let rest = dropType(s)
        guard s.hasPrefix("{"), rest != s else { return nil }
        let type = String(s.dropLast(rest.count)).trimmingCharacters(in: .whitespaces)
        return type.count > 2 ? type : nil
    }

    static func dropType(_ s: String) -> String {
        guard s.hasPrefix("{") else { return s }
        var depth = 0
        for (i, c) in s.enumerated() {
            if c == "{" { depth += 1 }
            if c == "}" { depth -= 1 }
            if depth == 0 { return String(s.dropFirst(i + 1)).trimmingCharacters(in: .whitespaces) }
        }
        return s
    }

    /// reST `:kind name: text` / `:kind type name: text` / `:returns: text`. A field marker ends with a colon
    /// and whitespace: a line that starts with a role (`:func:\`option\` and …`) is prose.
    static func restField(_ t: String) -> (kind: String, name: String, text: String)? {
        guard t.hasPrefix(":"), let close = t.dropFirst().range(of: ":") else { return nil }
        if close.upperBound < t.endIndex, !t[close.upperBound].isWhitespace { return nil }
        let inside = t[t.index(after: t.startIndex)..<close.lowerBound].split(separator: " ").map(String.init)
        guard let kind = inside.first, kind.allSatisfy({ $0.isLetter }) else { return nil }
        let text = String(t[close.upperBound...]).trimmingCharacters(in: .whitespaces)
        return (kind.lowercased(), inside.count > 1 ? inside.last! : "", text)
    }

    /// DocC: `- Parameter x: text`, `- Parameters:`, `- x: text` (under Parameters), `- Returns:`, `- Throws:`.
    static func doccItem(_ t: String) -> (kind: String, name: String, text: String)? {
        guard t.hasPrefix("- ") else { return nil }
        let body = t.dropFirst(2)
        for (prefix, kind) in [("Parameter ", "parameter"), ("Returns:", "returns"), ("Throws:", "throws"), ("Parameters:", "parameters")]
        where body.hasPrefix(prefix) {
            let rest = body.dropFirst(prefix.count)
            if kind == "parameter", let colon = rest.firstIndex(of: ":") {
                return (kind, String(rest[..<colon]), String(rest[rest.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
            return (kind, "", String(rest).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// C# XML documentation.
    static func xml(_ doc: String) -> DocMarkup {
        var m = DocMarkup()
        m.inherits = doc.contains("<inheritdoc")
        m.summary = element("summary", in: doc).first?.text ?? ""
        m.params = element("param", in: doc).map { Param(name: $0.attribute ?? "", text: $0.text) }
        m.returns = element("returns", in: doc).first?.text
        m.throwsText = element("exception", in: doc).map { e in e.attribute.map { "\($0): \(e.text)" } ?? e.text }
        return m
    }

    /// Each `<tag attr="a">text</tag>`: the first attribute's value and the text, inner tags reduced to their names.
    static func element(_ tag: String, in doc: String) -> [(attribute: String?, text: String)] {
        var out: [(String?, String)] = []
        var rest = Substring(doc)
        while let open = rest.range(of: "<\(tag)"), let endOpen = rest[open.upperBound...].firstIndex(of: ">") {
            let attrs = rest[open.upperBound..<endOpen]
            let attribute = attrs.split(separator: "\"").dropFirst().first.map(String.init)
            let bodyStart = rest.index(after: endOpen)
            guard let close = rest[bodyStart...].range(of: "</\(tag)>") else { break }
            var text = String(rest[bodyStart..<close.lowerBound])
            // `<see cref="T:Foo"/>`, `<paramref name="x"/>`: their target.
            while let a = text.range(of: "<"), let b = text[a.upperBound...].firstIndex(of: ">") {
                let inner = text[a.upperBound..<b]
                let target = inner.split(separator: "\"").dropFirst().first.map { String($0.split(separator: ":").last ?? $0) }
                text.replaceSubrange(a.lowerBound...b, with: target.map { "`\($0)`" } ?? "")
            }
            let clean = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                .joined(separator: " ")
            out.append((attribute, clean))
            rest = rest[close.upperBound...]
        }
        return out
    }
}

extension DocMarkup {
    /// One `parse` in progress, line by line: the markup so far, the summary's lines, and what a continuation
    /// line adds to. A struct mutated in place, so that each line costs no copies.
    fileprivate struct LineReader {
        /// The open item continuation lines add to: (kind, index).
        enum Open { case none, param(Int), returns, throwsAt(Int), deprecated, skip }

        var m = DocMarkup()
        var summary: [String] = []
        var open = Open.none
        var section: String? = nil  // Google/NumPy section in force
        var entryIndent: Int? = nil

        /// Reads line `i` and returns how many lines it used: 2 for a NumPy title and its underline, 0 when
        /// the line ended a section and is to be read again outside it.
        mutating func read(_ lines: [String], at i: Int) -> Int {
            let line = lines[i]
            let t = line.trimmingCharacters(in: .whitespaces)
            let indented = line.hasPrefix(" ") || line.hasPrefix("\t")
            // NumPy: a section title underlined with dashes.
            if i + 1 < lines.count, !t.isEmpty, let under = Optional(lines[i + 1].trimmingCharacters(in: .whitespaces)),
                under.count >= 3, under.allSatisfy({ $0 == "-" }), let s = numpySections[t.lowercased()]
            {
                startSection(s)
                return 2
            }
            if t.hasSuffix(":"), !indented, let s = googleSections[String(t.dropLast()).lowercased()] {
                startSection(s)
                return 1
            }
            // A tag starts its line; an indented `@name` is code in an example (a Python decorator).
            if !indented, let tag = jsTag(t) {
                readTag(tag)
            } else if let field = restField(t) {
                readField(field)
            } else if t.hasPrefix(".. deprecated::") {
                m.deprecated = String(t.dropFirst(15)).trimmingCharacters(in: .whitespaces)
                open = .deprecated
            } else if let docc = doccItem(t) {
                readDocC(docc)
            } else if let sec = section {
                if !readSectionLine(line, t, sec) { return 0 }
            } else if t.isEmpty {
                if case .none = open { summary.append("") }
                if section == nil { open = .none }
            } else if case .none = open {
                summary.append(line)
            } else {
                add(t)
            }
            return 1
        }

        /// The markup, its summary without trailing blank lines.
        mutating func finish() -> DocMarkup {
            while let l = summary.last, l.trimmingCharacters(in: .whitespaces).isEmpty { summary.removeLast() }
            m.summary = summary.joined(separator: "\n")
            return m
        }

        mutating func startSection(_ s: String?) {
            section = s
            entryIndent = nil
            open = .none
        }

        /// A continuation line: more text for the open item.
        mutating func add(_ text: String) {
            let t = text.trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty else { return }
            switch open {
            case .param(let k): m.params[k].text = join(m.params[k].text, t)
            case .returns: m.returns = join(m.returns ?? "", t)
            case .throwsAt(let k): m.throwsText[k] = join(m.throwsText[k], t)
            case .deprecated: m.deprecated = join(m.deprecated ?? "", t)
            case .skip, .none: break
            }
        }

        mutating func openParam(_ name: String, _ text: String) {
            m.params.append(Param(name: name, text: text))
            open = .param(m.params.count - 1)
        }

        mutating func openThrows(_ text: String) {
            m.throwsText.append(text)
            open = .throwsAt(m.throwsText.count - 1)
        }

        /// JSDoc/Javadoc/PHPDoc `@tag`.
        mutating func readTag(_ tag: (name: String, rest: String)) {
            section = nil
            m.hasTags = true
            switch tag.name {
            case "param", "arg", "argument", "property", "prop":
                let (name, text) = splitParam(tag.rest)
                openParam(name, text)
            case "returns", "return":
                let text = dropType(tag.rest)
                m.returns = text.isEmpty ? jsType(tag.rest) ?? "" : text
                open = .returns
            case "throws", "throw", "exception", "raises":
                openThrows(tag.rest)
            case "deprecated":
                m.deprecated = tag.rest
                open = .deprecated
            default:
                open = .skip  // metadata (@private, @public, @since, @see…) is not prose
            }
        }

        /// reST `:kind name: text`.
        mutating func readField(_ field: (kind: String, name: String, text: String)) {
            section = nil
            m.hasTags = true
            switch field.kind {
            case "param", "parameter", "arg", "argument", "key", "keyword":
                openParam(field.name, field.text)
            case "returns", "return":
                m.returns = field.text
                open = .returns
            case "raises", "raise", "except", "exception", "throws":
                openThrows(field.name.isEmpty ? field.text : "\(field.name): \(field.text)")
            default:
                open = .skip  // :type x:, :rtype: and the like
            }
        }

        /// DocC `- Parameter x:`, `- Parameters:`, `- Returns:`, `- Throws:`.
        mutating func readDocC(_ docc: (kind: String, name: String, text: String)) {
            section = docc.kind == "parameters" ? "params" : nil
            entryIndent = nil
            switch docc.kind {
            case "parameter": openParam(docc.name, docc.text)
            case "returns":
                m.returns = docc.text
                open = .returns
            case "throws": openThrows(docc.text)
            default: open = .none
            }
        }

        /// Google (`name (type): text`, indented under `Args:`) and NumPy (`name : type`, text below) entries;
        /// deeper lines continue an entry; a blank or shallower line ends the section. False when the line
        /// ended the section and is to be read again outside it.
        mutating func readSectionLine(_ line: String, _ t: String, _ sec: String) -> Bool {
            let depth = line.prefix { $0 == " " || $0 == "\t" }.count
            if entryIndent == nil { entryIndent = depth }
            if t.isEmpty || depth < entryIndent! {
                startSection(nil)
                return t.isEmpty
            } else if depth > entryIndent! {
                add(t)
            } else if sec == "returns" {
                m.returns = join(m.returns ?? "", t)
                open = .returns
            } else {
                let (name, text) = entry(t)
                if sec == "params" {
                    openParam(name, text)
                } else {
                    openThrows(text.isEmpty ? name : "\(name): \(text)")
                }
            }
            return true
        }
    }
}
