import Testing

@testable import ScribePipeline

/// C++ through its syntax tree: access specifiers, namespaces, and source-file definitions public only
/// when a header declares them.
@Suite struct CppParseTests {
    static let files: [String: String] = [
        "include/widget.hpp": """
            #pragma once
            #include <vector>
            #include "config.hpp"

            namespace ui {

            /// A widget on screen.
            class Widget {
            public:
                /// Draws it.
                void draw() const;

                int width = 0;

            private:
                void layout();
                int cache_;
            };

            /// A point.
            struct Point { int x; int y; };

            enum class Align { Left, Right };

            namespace detail {
            inline int helper() { return 1; }
            }

            template <typename T>
            T twice(T v) { return v * 2; }

            }  // namespace ui
            """,
        "src/widget.cpp": """
            #include "widget.hpp"
            // #include "commented.hpp"

            namespace ui {

            /* Draws by laying out first. */
            void Widget::draw() const { }

            void Widget::layout() {}

            static int local() { return 0; }

            }  // namespace ui
            """,
    ]

    @Test func accessNamespacesAndDefinitions() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let h = "include/widget.hpp"
        #expect(a.the("Widget", scope: "ui", in: h)?.doc == "A widget on screen.")
        #expect(a.the("draw", scope: "ui.Widget", in: h)?.doc == "Draws it.")
        #expect(a.the("draw", scope: "ui.Widget", in: "src/widget.cpp")?.doc == "Draws by laying out first.")
        let publicNames = a.symbols.filter(\.isPublic).map { "\($0.path):\($0.qualifiedName)" }
        #expect(publicNames == [
            "include/widget.hpp:ui.Widget", "include/widget.hpp:ui.Widget.draw", "include/widget.hpp:ui.Widget.width",
            "include/widget.hpp:ui.Point", "include/widget.hpp:ui.Point.x", "include/widget.hpp:ui.Point.y",
            "include/widget.hpp:ui.Align", "include/widget.hpp:ui.Align.Left", "include/widget.hpp:ui.Align.Right",
            "include/widget.hpp:ui.twice", "src/widget.cpp:ui.Widget.draw",
        ])
        #expect(a.imports.filter { $0.path == h }.map { "\($0.line) \($0.target) \($0.kind ?? "-")" } == [
            "2 vector system", "3 config.hpp relative",
        ])
        #expect(a.imports(of: "src/widget.cpp") == ["1 widget.hpp"])
        try checkTruth(a, root: f.root)
    }

    @Test func dotHHeadersAreCppInACppProject() throws {
        let files = [
            "include/shape.h": """
                #pragma once
                namespace geo {
                /// A shape.
                class Shape {
                public:
                    /// Its area.
                    double area() const;
                private:
                    int id_;
                };
                }
                """,
            "src/shape.cpp": "#include \"shape.h\"\nnamespace geo {\ndouble Shape::area() const { return 0; }\n}\n",
        ]
        let f = try Fixture(files)
        let a = try f.analyze()
        #expect(a.files.first { $0.path == "include/shape.h" }?.language == "C++")
        #expect(a.the("Shape", scope: "geo", in: "include/shape.h")?.language == "C++")
        #expect(a.the("area", scope: "geo.Shape", in: "include/shape.h")?.doc == "Its area.")
        #expect(a.the("id_", scope: "geo.Shape", in: "include/shape.h")?.isPublic == false)
        // The header's declaration makes the source file's definition public (matched by qualified name).
        #expect(a.the("area", scope: "geo.Shape", in: "src/shape.cpp")?.isPublic == true)
        try checkTruth(a, root: f.root)

        // Without a C++ file in the tree, a header is C.
        let c = try Fixture(["lib/x.h": "/** Adds. */\nint add(int a, int b);\n", "lib/x.c": "int add(int a, int b) { return a + b; }\n"])
        let ca = try c.analyze()
        #expect(ca.files.first { $0.path == "lib/x.h" }?.language == "C")
        #expect(ca.the("add", in: "lib/x.h")?.language == "C")
    }
}
