import Testing

@testable import ScribePipeline

/// Sphinx's attribute docs: `#:` lines right above a class attribute, or above `self.x = …` in `__init__`,
/// document that attribute (click documents its `Context` this way); a plain `#` comment does not.
@Suite struct PythonAttributeDocTests {
    static let files: [String: String] = [
        "pkg/__init__.py": "",
        "pkg/context.py": """
            class Context:
                \"\"\"A context.\"\"\"

                #: The formatter class.
                #:
                #: .. versionadded:: 8.0
                formatter_class: type = object

                # just a comment
                plain: int

                parent: "Context | None"

                def __init__(self, parent):
                    #: the parent context or `None` if none exists.
                    self.parent = parent
                    #: extra info, declared only here.
                    self.info = {}
                    self.undocumented = 1
                    #: private.
                    self._hidden = 2
            """,
    ]

    @Test func hashColonCommentsDocumentAttributes() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let path = "pkg/context.py"
        #expect(a.the("formatter_class", scope: "Context", in: path)?.doc == "The formatter class.\n\n.. versionadded:: 8.0")
        #expect(a.the("plain", scope: "Context", in: path)?.doc == nil)
        let parent = a.the("parent", scope: "Context", in: path)
        #expect(parent?.line == 12 && parent?.doc == "the parent context or `None` if none exists.")
        let info = a.the("info", scope: "Context", in: path)
        #expect(info?.line == 18 && info?.kind == "member" && info?.doc == "extra info, declared only here.")
        #expect(!a.has("undocumented"))
        #expect(a.the("_hidden", scope: "Context", in: path)?.isPublic == false)
    }
}
