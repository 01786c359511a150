import Testing

@testable import ScribePipeline

/// C# through its syntax tree: public by keyword, XML doc comments, partial types as one entry.
@Suite struct CSharpParseTests {
    static let files: [String: String] = [
        "Shop/Item.cs": """
            using System;
            using static System.Math;
            using Env = System.Environment;
            // using Fake.Commented;

            namespace Shop.Model
            {
                /// <summary>An item of the catalogue.</summary>
                [Serializable]
                public partial class Item
                {
                    /// <summary>Its name.</summary>
                    public string Name { get; set; }

                    private int count;

                    /// <summary>Adds two.</summary>
                    /// <param name="a">The first.</param>
                    /// <returns>The sum.</returns>
                    public int Add(int a, int b) => a + b;

                    internal void Hidden() {}
                }

                class Helper { public void Help() {} }

                /// <summary>Kinds.</summary>
                public enum Kind { Single, Bundle }

                public interface IStore { Item Find(string name); }
            }
            """,
        "Shop/Item.Parts.cs": """
            namespace Shop.Model;

            public partial class Item
            {
                /// <inheritdoc/>
                public override string ToString() => Name;
            }
            """,
        "Other/Item.cs": """
            namespace Other
            {
                /// <summary>Another item.</summary>
                public class Item {}
            }
            """,
    ]

    @Test func publicByKeywordXmlDocsAndPartialTypes() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        // The partial class is one entry, the documented part; its members from both files sit under it.
        let item = a.the("Item", scope: "Shop.Model")
        #expect(item?.path == "Shop/Item.cs")
        #expect(item?.doc == "<summary>An item of the catalogue.</summary>")
        #expect(a.the("ToString", scope: "Shop.Model.Item")?.path == "Shop/Item.Parts.cs")
        let inherited = DocMarkup.parse(a.the("ToString", scope: "Shop.Model.Item")?.doc ?? "")
        #expect(inherited.inherits)
        let add = try #require(a.the("Add", scope: "Shop.Model.Item"))
        let markup = DocMarkup.parse(add.doc ?? "")
        #expect(markup.summary == "Adds two.")
        #expect(markup.params == [.init(name: "a", text: "The first.")])
        #expect(markup.returns == "The sum.")
        let publicNames = a.symbols.filter { $0.path == "Shop/Item.cs" && $0.isPublic }.map(\.qualifiedName)
        #expect(publicNames == [
            "Shop.Model.Item", "Shop.Model.Item.Name", "Shop.Model.Item.Add", "Shop.Model.Kind", "Shop.Model.Kind.Single",
            "Shop.Model.Kind.Bundle", "Shop.Model.IStore", "Shop.Model.IStore.Find",
        ])
        #expect(a.the("Item", scope: "Other")?.doc == "<summary>Another item.</summary>")
        try checkTruth(a, root: f.root)
    }

    @Test func usingsAsWritten() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        #expect(a.imports(of: "Shop/Item.cs") == ["1 System", "2 System.Math", "3 System.Environment"])
        #expect(a.imports.first { $0.path == "Shop/Item.cs" && $0.line == 2 }?.kind == "static")
    }
}
