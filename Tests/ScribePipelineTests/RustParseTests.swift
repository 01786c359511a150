import Testing

@testable import ScribePipeline

/// Rust through its syntax tree, as rustdoc reads it.
@Suite struct RustParseTests {
    static let files: [String: String] = [
        "Cargo.toml": "[package]\nname = \"shapes\"\nversion = \"0.1.0\"\n",
        "src/lib.rs": """
            //! Shapes and areas.
            //!
            //! More detail.
            #![deny(missing_docs)]

            mod inner;
            pub mod api;
            use crate::inner::Thing;
            use std::{io, fmt};
            // use fake::Import;

            /// A shape.
            #[derive(Debug)]
            pub struct Shape {
                /// Width.
                pub width: u32,
                height: u32,
            }

            impl Shape {
                /// Area of it.
                pub fn area(&self) -> u32 { self.width }
                fn secret(&self) {}
            }

            impl fmt::Display for Shape {
                fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { Ok(()) }
            }

            pub(crate) fn crate_only() {}

            /// Kinds.
            pub enum Kind {
                /// The first.
                First,
                Second,
            }

            pub trait Draw {
                /// Draw it.
                fn draw(&self);
            }

            #[macro_export]
            macro_rules! shout { () => {} }
            """,
    ]

    @Test func pubItemsDocsAndImports() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let lib = "src/lib.rs"
        #expect(a.symbols.first { $0.name == "Shape" && $0.kind == "struct" }?.doc == "A shape.")
        #expect(a.the("width", scope: "Shape", in: lib)?.doc == "Width.")
        #expect(a.the("area", scope: "Shape", in: lib)?.doc == "Area of it.")
        #expect(a.the("First", scope: "Kind", in: lib)?.doc == "The first.")
        #expect(a.the("Second", scope: "Kind", in: lib)?.doc == nil)
        let publicNames = a.symbols.filter(\.isPublic).map(\.qualifiedName).sorted()
        // `impl fmt::Display for Shape` is one implementation of the trait (rustdoc's "Trait Implementations"):
        // `fmt` is the trait's method, not a member of `Shape`.
        #expect(publicNames == [
            "Draw", "Draw.draw", "Kind", "Kind.First", "Kind.Second", "Shape", "Shape", "Shape.area", "Shape.width",
            "api", "shout",
        ])
        let implementation = a.symbols.filter { $0.kind == "impl" }
        #expect(implementation.map { "\($0.name) \($0.inherits) \($0.line)" } == ["Shape [\"fmt::Display\"] 26"])
        #expect(implementation.allSatisfy { !$0.isReference })
        let module = try #require(a.files.first { $0.path == lib }?.module)
        #expect(a.moduleDocs[module]?.text == "Shapes and areas.\n\nMore detail.")
        #expect(a.moduleDocs[module]?.path == lib)
        #expect(a.imports(of: lib) == ["6 inner", "7 api", "8 crate::inner::Thing", "9 std::{io, fmt}"])
        #expect(a.imports.filter { $0.kind == "mod" }.allSatisfy { $0.relative })
        try checkTruth(a, root: f.root)
    }
}
