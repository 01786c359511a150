import Testing

@testable import ScribePipeline

/// Java through its syntax tree, as javadoc reads it.
@Suite struct JavaParseTests {
    static let files: [String: String] = [
        "src/com/shop/model/Item.java": """
            package com.shop.model;

            import java.util.List;
            import static java.lang.Math.max;
            import java.util.concurrent.*;
            // import com.fake.Commented;

            /**
             * An item of the catalogue.
             *
             * @since 1.0
             */
            public class Item {
                /** How many were made. */
                private static int made;

                /** Its name. */
                public final String name;

                /**
                 * The display label.
                 *
                 * @param upper whether in capitals
                 * @return the label
                 */
                @Override
                public String label(boolean upper) { return name; }

                String packagePrivate() { return ""; }

                /** A part of an item. */
                public static class Part {
                    public int size;
                }
            }

            /** Not public. */
            class Helper {
                public void help() {}
            }
            """,
        "src/com/shop/model/Kind.java": """
            package com.shop.model;

            /** Kinds of items. */
            public enum Kind {
                /** Sold alone. */
                SINGLE,
                BUNDLE;

                public boolean many() { return this == BUNDLE; }
            }
            """,
        "src/com/shop/model/Store.java": """
            package com.shop.model;

            /** Where items are kept. */
            public interface Store {
                /** Finds one. */
                Item find(String name);
            }
            """,
        "src/com/shop/other/Item.java": """
            package com.shop.other;

            /** Another item, in another package. */
            public class Item {}
            """,
        "src/com/shop/model/package-info.java": "/** The catalogue's model. */\npackage com.shop.model;\n",
    ]

    @Test func javadocAndPublicByKeyword() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let item = "src/com/shop/model/Item.java"
        #expect(a.the("Item", in: item)?.doc == "An item of the catalogue.\n\n@since 1.0")
        #expect(a.the("label", scope: "Item", in: item)?.doc == "The display label.\n\n@param upper whether in capitals\n@return the label")
        #expect(a.the("made", scope: "Item", in: item)?.doc == "How many were made.")
        let publicNames = a.symbols.filter { $0.path == item && $0.isPublic }.map(\.qualifiedName)
        #expect(publicNames == ["Item", "Item.name", "Item.label", "Item.Part", "Item.Part.size"])
        #expect(a.the("SINGLE", scope: "Kind")?.doc == "Sold alone.")
        #expect(a.the("BUNDLE", scope: "Kind")?.isPublic == true)
        #expect(a.the("many", scope: "Kind")?.isPublic == true)
        #expect(a.the("find", scope: "Store")?.isPublic == true)  // interface members are public
        #expect(a.the("Item", in: "src/com/shop/other/Item.java")?.doc == "Another item, in another package.")
        let module = try #require(a.files.first { $0.path == item }?.module)
        #expect(a.moduleDocs[module]?.text == "The catalogue's model.")
        try checkTruth(a, root: f.root)
    }

    @Test func importsAsWritten() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let item = "src/com/shop/model/Item.java"
        #expect(a.imports(of: item) == ["3 java.util.List", "4 java.lang.Math.max", "5 java.util.concurrent.*"])
        #expect(a.imports.first { $0.path == item && $0.line == 4 }?.kind == "static")
    }
}
