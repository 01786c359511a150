import Foundation
import Testing

@testable import ScribePipeline

/// A public type nested in another is a member row of its parent and, when it has members of its own, an
/// entry too, so that those members are listed somewhere (as DocC and rustdoc give nested types a page).
@Suite struct NestedTypeTests {
    @Test func aNestedTypeWithMembersHasItsOwnEntry() throws {
        let f = try ModuleFixture(
            ModuleFixtures.kit(
                """
                /// Outer.
                public struct Outer {
                    /// Inner.
                    public struct Inner {
                        /// The x.
                        public var x: Int
                    }
                    /// Empty.
                    public struct Empty {}
                    /// A field.
                    public var y: Int
                }
                """))
        defer { f.remove() }
        let a = try f.analyze()
        let (out, pages) = try f.document(a)
        let module = try #require(a.modules.first)
        let page = try String(contentsOfFile: out.modulePagePath(module), encoding: .utf8)
        #expect(page.contains("5 public declarations, 2 with an entry of their own."))
        #expect(page.contains("| `Inner` — Inner. | struct |"))
        #expect(page.contains("### `Outer.Inner`\n\nstruct · `Sources/Kit/Kit.swift:4`"))
        #expect(page.contains("| `x` — The x. | property | `x: Int` | `Sources/Kit/Kit.swift:6` |"))
        // A nested type without members is its parent's member row only.
        #expect(page.contains("| `Empty` — Empty. | struct |") && !page.contains("### `Outer.Empty`"))
        #expect(PageVerifier(a).problems(markdown: page, pagePath: module.pagePath, pages: Set(pages)).isEmpty)
    }
}
