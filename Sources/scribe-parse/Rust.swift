enum RustRules {
    static func extract(_ file: SyntaxFile) -> FileResult { FileResult() }
}
