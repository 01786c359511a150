enum CRules {
    static func extract(_ file: SyntaxFile) -> FileResult { FileResult() }
}
