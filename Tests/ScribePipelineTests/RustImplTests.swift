import Foundation
import Testing

@testable import ScribePipeline

/// Rust's trait implementations as rustdoc shows them: a type's page says which traits it implements, and
/// where; the trait's methods stay the trait's, so they are neither members of the type nor undocumented API;
/// an implementation for a type the crate keeps private is not API either.
@Suite struct RustImplTests {
    static let files: [String: String] = [
        "Cargo.toml": "[package]\nname = \"shapes\"\nversion = \"0.1.0\"\n",
        "src/lib.rs": """
            //! Shapes.

            use std::fmt;

            /// Something that can be drawn.
            pub trait Draw {
                /// Draws it.
                fn draw(&self) -> String;
            }

            /// A circle.
            pub struct Circle;

            impl Circle {
                /// A unit circle.
                pub fn unit() -> Circle { Circle }
            }

            impl Draw for Circle {
                fn draw(&self) -> String { String::new() }
            }

            impl fmt::Display for Circle {
                fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { Ok(()) }
            }

            impl std::error::Error for Circle {}

            struct Hidden;

            impl Default for Hidden {
                fn default() -> Hidden { Hidden }
            }
            """,
    ]

    @Test func aTypeSaysWhichTraitsItImplementsAndListsOnlyItsOwnMethods() throws {
        let f = try ModuleFixture(Self.files)
        defer { f.remove() }
        let a = try f.analyze()
        let circle = a.symbols.filter { $0.scope == "Circle" && $0.isPublic }.map(\.name)
        #expect(circle == ["unit"])
        #expect(!a.symbols.contains { $0.name == "fmt" || ($0.name == "draw" && $0.scope == "Circle") })
        let module = try #require(a.modules.first)
        // Only the trait's own method needs a doc comment: 100 % with `draw`, `unit`, `Circle`, `Draw`.
        #expect(a.coverage(of: module).percent == 100)

        let (out, pages) = try f.document(a)
        let page = try String(contentsOfFile: out.modulePagePath(module), encoding: .utf8)
        let line = try #require(page.split(separator: "\n").first { $0.hasPrefix("- `Circle` (struct") })
        #expect(line.contains("implements `Draw` (impl at `src/lib.rs:19`)") || line.contains("implements [`Draw`]("))
        #expect(line.contains("(impl at `src/lib.rs:19`)"))
        #expect(line.contains("implements `fmt::Display` (impl at `src/lib.rs:23`)"))
        #expect(line.contains("implements `std::error::Error` (impl at `src/lib.rs:27`)"))
        #expect(!page.contains("Hidden"))
        // `draw` is listed once, under the trait; `fmt` nowhere.
        #expect(page.components(separatedBy: "| `draw`").count == 2 && !page.contains("| `fmt`"))
        #expect(PageVerifier(a).problems(markdown: page, pagePath: module.pagePath, pages: Set(pages)).isEmpty)
    }
}
