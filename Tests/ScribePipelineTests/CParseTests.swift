import Testing

@testable import ScribePipeline

/// C through its syntax tree: headers are the public surface, `static` is private, includes keep their kind.
@Suite struct CParseTests {
    static let files: [String: String] = [
        "include/vec.h": """
            #ifndef VEC_H
            #define VEC_H
            #include <poll.h>
            #include "config.h"

            /** The largest vector. */
            #define VEC_MAX 10

            #ifdef __cplusplus
            extern "C" {
            #endif

            /* A growable vector. */
            struct vec {
                /* Its length. */
                int len;
                int cap;
            };

            typedef struct vec vec_t;

            /// Appends a value.
            int vec_push(struct vec *v, int x);

            static inline int vec_twice(int a) { return a * 2; }

            /// Colours.
            enum colour { RED, GREEN };

            extern int vec_count;

            #ifdef __cplusplus
            }
            #endif
            #endif
            """,
        "src/vec.c": """
            #include "vec.h"
            // #include "commented.h"
            #include "poll.h"

            int vec_count = 0;

            static int clamp(int a) { return a; }

            /* Appends x to v. */
            int vec_push(struct vec *v, int x) { return clamp(v->len) + x; }

            /* Not declared in any header. */
            int internal_only(void) { return 1; }
            """,
        "src/poll.h": "/* A repository header named like the system one. */\nint local_poll(void);\n",
    ]

    @Test func headersArePublicAndStaticIsPrivate() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let h = "include/vec.h"
        #expect(a.the("vec_push", in: h)?.isPublic == true)
        #expect(a.the("vec_push", in: h)?.doc == "Appends a value.")
        // Declared in a header, so public, and one entry with the header's declaration: the definition is its place.
        #expect(a.the("vec_push", in: h)?.definedAt.map { "\($0.path):\($0.line)" } == "src/vec.c:10")
        #expect(!a.symbols.contains { $0.name == "vec_push" && $0.path == "src/vec.c" })
        #expect(a.the("internal_only", in: "src/vec.c")?.isPublic == false)
        #expect(a.the("clamp", in: "src/vec.c")?.isPublic == false)
        #expect(a.the("vec_twice", in: h)?.isPublic == false)
        #expect(a.the("vec_count", in: "src/vec.c")?.isPublic == true)
        #expect(a.the("vec", in: h)?.doc == "A growable vector.")
        #expect(a.the("len", scope: "vec", in: h)?.doc == "Its length.")
        #expect(a.the("cap", scope: "vec", in: h)?.doc == nil)
        #expect(a.the("RED", scope: "colour", in: h)?.doc == nil)
        #expect(a.the("colour", in: h)?.doc == "Colours.")
        #expect(a.the("VEC_MAX", in: h)?.doc == "The largest vector.")
        #expect(!a.has("VEC_H"))  // an include guard is not API
        try checkTruth(a, root: f.root)
    }

    @Test func includesKeepTheirKind() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let h = a.imports.filter { $0.path == "include/vec.h" }
        #expect(h.map { "\($0.line) \($0.target) \($0.kind ?? "-")" } == ["3 poll.h system", "4 config.h relative"])
        #expect(h.first?.relative == false)
        #expect(a.imports(of: "src/vec.c") == ["1 vec.h", "3 poll.h"])
    }
}
