enum GoRules {
    static func extract(_ file: SyntaxFile) -> FileResult { FileResult() }
}
