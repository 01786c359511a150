import Testing

@testable import ScribePipeline

/// PHP through its syntax tree: classes, interfaces, traits, functions, visibility, PHPDoc, and
/// `use`/`require` as imports (never from comments or strings).
@Suite struct PHPParseTests {
    static let files: [String: String] = [
        "src/Cache.php": """
            <?php
            namespace App\\Cache;

            use App\\Contracts\\Store;
            use Psr\\Log\\{LoggerInterface, NullLogger};
            // use App\\Commented;
            require_once __DIR__ . '/helpers.php';
            $text = "require 'in-string.php';";

            /**
             * A cache in front of a store.
             */
            class Cache implements Store
            {
                use Timestamps;

                /** Seconds an entry lives. */
                public const TTL = 60;

                /** The store behind. */
                protected $store;

                public $hits = 0;

                /**
                 * Reads an entry.
                 *
                 * @param string $key
                 */
                public function get(string $key) {}

                function put($key, $value) {}

                private function evict() {}

                /** @internal */
                public function debug() {}
            }

            /** What a store does. */
            interface Store
            {
                /** Reads one value. */
                public function read(string $key);
            }

            /** Adds timestamps. */
            trait Timestamps
            {
                public function touch() {}
            }
            """,
        "src/helpers.php": """
            <?php

            /**
             * Formats a key.
             */

            function cache_key(string $name): string { return $name; }

            /** @internal */
            function cache_debug() {}
            """,
    ]

    @Test func declarationsVisibilityAndDocs() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let cache = "src/Cache.php"
        #expect(a.the("Cache", in: cache)?.kind == "class")
        #expect(a.the("Cache", in: cache)?.doc == "A cache in front of a store.")
        #expect(a.the("Store", in: cache)?.kind == "interface")
        #expect(a.the("Timestamps", in: cache)?.kind == "trait")
        #expect(a.the("TTL", scope: "Cache", in: cache)?.doc == "Seconds an entry lives.")
        #expect(a.the("get", scope: "Cache", in: cache)?.doc == "Reads an entry.\n\n@param string $key")
        #expect(a.the("read", scope: "Store", in: cache)?.doc == "Reads one value.")
        #expect(a.the("cache_key", in: "src/helpers.php")?.doc == "Formats a key.")
        // Members are public unless private or protected; @internal hides.
        #expect(a.the("get", scope: "Cache", in: cache)?.isPublic == true)
        #expect(a.the("put", scope: "Cache", in: cache)?.isPublic == true)
        #expect(a.the("$hits", scope: "Cache", in: cache)?.isPublic == true)
        #expect(a.the("$store", scope: "Cache", in: cache)?.isPublic == false)
        #expect(a.the("evict", scope: "Cache", in: cache)?.isPublic == false)
        #expect(a.the("debug", scope: "Cache", in: cache)?.isPublic == false)
        #expect(a.the("cache_key", in: "src/helpers.php")?.isPublic == true)
        #expect(a.the("cache_debug", in: "src/helpers.php")?.isPublic == false)
        #expect(!a.has("text"))
        try checkTruth(a, root: f.root)
    }

    @Test func importsAreUseAndRequireStatements() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        #expect(a.imports(of: "src/Cache.php") == [
            "4 App\\Contracts\\Store", "5 Psr\\Log\\LoggerInterface", "5 Psr\\Log\\NullLogger", "7 ./helpers.php",
        ])
    }
}
