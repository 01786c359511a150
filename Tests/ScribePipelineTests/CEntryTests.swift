import Foundation
import Testing

@testable import ScribePipeline

/// C's API as a reader of its headers sees it: a function is one entry, the header's declaration, with the
/// definition's place beside it; `typedef struct x { … } x;` is one type; and a calling-convention macro
/// between a return type and a name invents no variable and no function named `void`.
@Suite struct CEntryTests {
    static let files: [String: String] = [
        "lib.h": """
            #ifndef LIB_H
            #define LIB_H
            #define LIB_CALL
            #define stdin stdin

            /** Parses text. */
            int lib_parse(const char *s);

            int lib_undocumented_here(void);

            /** A node of the tree. */
            typedef struct node {
                int value;
            } node;

            typedef struct leaf leaf;
            /* A leaf. */
            struct leaf { int weight; };

            extern int stdin;
            #endif
            """,
        "lib.c": """
            #include "lib.h"

            /* Implementation note: not the API's doc. */
            int lib_parse(const char *s) { return s != 0; }

            /** Says nothing in the header, so this is its doc. */
            int lib_undocumented_here(void) { return 1; }

            /* Not in any header: not API. */
            int lib_helper(void) { return 2; }
            """,
        "main.c": """
            #include "lib.h"

            int LIB_CALL main(void)
            {
                return lib_parse("x");
            }
            """,
    ]

    @Test func oneEntryPerFunctionAndTypeAndNoInventedNames() throws {
        let f = try ModuleFixture(Self.files)
        defer { f.remove() }
        let a = try f.analyze()
        let parse = a.symbols.filter { $0.name == "lib_parse" }
        #expect(parse.count == 1)
        #expect(parse.first?.path == "lib.h" && parse.first?.line == 7 && parse.first?.kind == "prototype")
        #expect(parse.first?.definedAt.map { "\($0.path):\($0.line)" } == "lib.c:4")
        #expect(parse.first?.doc == "Parses text.")
        let undocumented = a.symbols.filter { $0.name == "lib_undocumented_here" }
        #expect(undocumented.count == 1)
        #expect(undocumented.first?.doc == "Says nothing in the header, so this is its doc.")
        #expect(a.symbols.filter { $0.name == "lib_helper" }.allSatisfy { !$0.isPublic })

        #expect(a.symbols.filter { $0.name == "node" }.map(\.kind) == ["struct"])
        #expect(a.symbols.first { $0.name == "node" }?.doc == "A node of the tree.")
        #expect(a.symbols.filter { $0.name == "value" && $0.scope == "node" }.count == 1)
        #expect(a.symbols.filter { $0.name == "leaf" }.map(\.kind) == ["struct"])

        #expect(!a.symbols.contains { $0.name == "void" })
        #expect(!a.symbols.contains { $0.name == "LIB_CALL" && $0.kind != "macro" })
        // `#define stdin stdin` only marks the variable's declaration: the variable is the entry.
        #expect(a.symbols.filter { $0.name == "stdin" }.map(\.kind) == ["variable"])

        let (out, pages) = try f.document(a)
        let module = try #require(a.modules.first)
        let page = try String(contentsOfFile: out.modulePagePath(module), encoding: .utf8)
        #expect(page.components(separatedBy: "### `lib_parse`").count == 2)
        #expect(page.contains("prototype · `lib.h:7` · defined at `lib.c:4`\n"), "\(page)")
        #expect(PageVerifier(a).problems(markdown: page, pagePath: module.pagePath, pages: Set(pages)).isEmpty)
    }
}
