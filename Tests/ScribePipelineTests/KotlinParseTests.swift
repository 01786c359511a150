import Testing

@testable import ScribePipeline

/// Kotlin through its syntax tree, as Dokka reads it.
@Suite struct KotlinParseTests {
    static let files: [String: String] = [
        "src/Shop.kt": """
            package com.shop

            import kotlin.math.max
            import java.util.*
            // import fake.Commented

            /** An item of the catalogue. */
            @Suppress("unused")
            data class Item(val name: String) {
                /** The display label. */
                fun label(): String = name

                private fun secret() {}

                internal val hidden = 1

                /** How many. */
                var count: Int = 0

                companion object {
                    /** Makes one. */
                    fun of(name: String) = Item(name)
                }
            }

            /** Kinds. */
            enum class Kind { SINGLE, BUNDLE }

            interface Store {
                /** Finds one. */
                fun find(name: String): Item?
            }

            /** The registry. */
            object Registry

            private fun helper() {}

            /** A top-level constant. */
            const val LIMIT = 3
            """,
        "src/other/Item.kt": "package com.other\n\n/** Another item. */\nclass Item\n",
    ]

    @Test func publicByDefaultKDocAndImports() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let shop = "src/Shop.kt"
        #expect(a.the("Item", in: shop)?.doc == "An item of the catalogue.")  // over its annotation
        #expect(a.the("label", scope: "Item", in: shop)?.doc == "The display label.")
        #expect(a.the("of", scope: "Item", in: shop)?.doc == "Makes one.")  // a companion object's member
        #expect(a.the("Store", in: shop)?.doc == nil)
        #expect(a.the("LIMIT", in: shop)?.doc == "A top-level constant.")
        let publicNames = a.symbols.filter { $0.path == shop && $0.isPublic }.map(\.qualifiedName)
        #expect(publicNames == [
            "Item", "Item.label", "Item.count", "Item.of", "Kind", "Kind.SINGLE", "Kind.BUNDLE", "Store", "Store.find",
            "Registry", "LIMIT",
        ])
        #expect(a.the("Item", in: "src/other/Item.kt")?.doc == "Another item.")
        #expect(a.imports(of: shop) == ["3 kotlin.math.max", "4 java.util.*"])
        try checkTruth(a, root: f.root)
    }
}
