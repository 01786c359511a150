import Testing

@testable import ScribePipeline

/// Python through its syntax tree: docstrings where Python puts them, the public surface by `_` and
/// `__all__`, overloads as one entry, imports from statements only.
@Suite struct PythonParseTests {
    static let files: [String: String] = [
        "shapes/__init__.py": "\"\"\"Shapes and their areas.\"\"\"\nfrom .core import Circle\n",
        "shapes/core.py": """
            \"\"\"Core shapes.

                Indented detail.
            \"\"\"
            import typing as t
            import os.path, sys
            from . import units
            from ..base import Thing
            # import commented_out
            NOTE = "import in_string"
            from typing import overload

            __all__ = ["Circle", "LIMIT", "area", "Color", "size"]

            LIMIT = 3
            \"\"\"The largest radius.\"\"\"

            DEFAULT = 1

            class Circle:
                \"\"\"A circle.

                Drawn from its centre.
                \"\"\"

                radius: int = 0
                \"\"\"Its radius.\"\"\"

                def _hidden(self):
                    pass

                def grow(self, by: int) -> None:
                    \"\"\"Grow it by `by`.\"\"\"

                def _get_name(self):
                    \"\"\"The circle's name.\"\"\"
                    return "c"
                name = property(_get_name)

                @property
                def diameter(self):
                    \"\"\"Twice the radius.\"\"\"
                    return 2

                @diameter.setter
                def diameter(self, v):
                    \"\"\"Not a second entry.\"\"\"

            @overload
            def area(x: int) -> int: ...
            @overload
            def area(x: str) -> str:
                \"\"\"Stub text.\"\"\"
            def area(x):
                \"\"\"The area.\"\"\"
                return x

            def helper():
                \"\"\"Not listed in __all__.\"\"\"

            import enum
            class Color(enum.Enum):
                RED = 1
                BLUE = 2
                \"\"\"The blue one.\"\"\"

            def size():
                return 1
            """,
        "shapes/other.py": """
            class Circle:
                \"\"\"Another circle, in another file.\"\"\"
                def grow(self):
                    pass
            """,
        "shapes/_compat.py": "def shim():\n    \"\"\"Compatibility.\"\"\"\n",
    ]

    @Test func docstringsAttachWherePythonPutsThem() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let core = "shapes/core.py"
        #expect(a.the("LIMIT", in: core)?.doc == "The largest radius.")
        // A constant just above a documented class gets no docstring.
        #expect(a.the("DEFAULT", in: core)?.doc == nil)
        #expect(a.the("Circle", in: core)?.doc == "A circle.\n\nDrawn from its centre.")
        #expect(a.the("radius", scope: "Circle", in: core)?.doc == "Its radius.")
        #expect(a.the("grow", scope: "Circle", in: core)?.doc == "Grow it by `by`.")
        #expect(a.the("RED", scope: "Color", in: core)?.doc == nil)
        #expect(a.the("BLUE", scope: "Color", in: core)?.doc == "The blue one.")
        #expect(a.the("Color", in: core)?.doc == nil)
        #expect(a.moduleDocs["shapes"]?.text == "Shapes and their areas.")
        try checkTruth(a, root: f.root)
    }

    @Test func overloadsAreOneEntryWithTheImplementationsDoc() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let area = a.the("area", in: "shapes/core.py")
        #expect(area?.overloads == 3)
        #expect(area?.doc == "The area.")
        #expect(area?.line == 54)
        // The entry shows the stubs' signatures; the stub's docstring stays with the stub.
        #expect(area?.signatures == ["area(x: int) -> int", "area(x: str) -> str"])
        #expect(a.symbols.filter { $0.name == "area" }.count == 1)
        // The property's setter completes it; a property from a helper call is an entry with the getter's doc.
        #expect(a.the("diameter", scope: "Circle", in: "shapes/core.py")?.kind == "property")
        #expect(a.the("diameter", scope: "Circle", in: "shapes/core.py")?.doc == "Twice the radius.")
        let name = a.the("name", scope: "Circle", in: "shapes/core.py")
        #expect(name?.kind == "property")
        #expect(name?.doc == "The circle's name.")
    }

    @Test func publicSurfaceFollowsUnderscoresAndAll() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let core = "shapes/core.py"
        #expect(a.the("Circle", in: core)?.isPublic == true)
        #expect(a.the("size", in: core)?.isPublic == true)
        #expect(a.the("helper", in: core)?.isPublic == false)  // not in __all__
        #expect(a.the("NOTE", in: core)?.isPublic == false)
        #expect(a.the("_hidden", scope: "Circle", in: core)?.isPublic == false)
        #expect(a.the("shim", in: "shapes/_compat.py")?.isPublic == false)  // a private file
        // Same-named classes in two files stay apart, each with its own members.
        #expect(a.the("Circle", in: "shapes/other.py")?.doc == "Another circle, in another file.")
        #expect(a.symbols.filter { $0.name == "grow" }.map(\.path).sorted() == ["shapes/core.py", "shapes/other.py"])
        // An import alias is an import, never a symbol.
        #expect(!a.has("t"))
    }

    @Test func importsComeFromStatementsOnly() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        #expect(a.imports(of: "shapes/core.py") == ["5 typing", "6 os.path", "6 sys", "7 .", "8 ..base", "11 typing", "61 enum"])
        let units = a.imports.first { $0.path == "shapes/core.py" && $0.line == 7 }
        #expect(units?.names == ["units"])
        #expect(units?.kind == "relative")
        #expect(a.imports(of: "shapes/__init__.py") == ["2 .core"])
    }
}
