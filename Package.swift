// swift-tools-version:6.0
import PackageDescription

// Swift 6 language mode everywhere: strict concurrency checking. The server and worker share state between
// plain threads (libfcgi accept threads, libpq connections per thread); what they share is Sendable, and a
// type marked `@unchecked Sendable` says beside it which lock makes it safe.
let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "scribe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "scribe-fcgi", targets: ["scribe-fcgi"]),
        .executable(name: "scribe-worker", targets: ["scribe-worker"]),
        .executable(name: "scribe", targets: ["scribe"]),
        .executable(name: "scribe-swift-symbols", targets: ["scribe-swift-symbols"]),
        .executable(name: "scribe-parse", targets: ["scribe-parse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swiftlang/swift-syntax", from: "603.0.0"),
        // YAML for dbt projects (dbt_project.yml, schema.yml), with the line of every node for citations.
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi"),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq"),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl"),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto"),
        .systemLibrary(name: "CCmark", pkgConfig: "libcmark-gfm"),
        .target(name: "CSpawn"),
        // The tree-sitter core (one translation unit) and its grammars, fetched by scripts/fetch-grammars.sh.
        .target(
            name: "CTreeSitter",
            sources: [
                "vendor/core/lib.c", "vendor/python", "vendor/javascript", "vendor/go", "vendor/c", "vendor/rust", "vendor/java",
                "vendor/ruby", "vendor/c_sharp", "vendor/kotlin", "vendor/cpp", "vendor/sql", "vendor/typescript/src",
                "vendor/tsx/src", "vendor/php/src",
            ],
            // Optimised in debug builds too: parsing at -O0 is several times slower, and the compile time is
            // about the same on this kind of machine (13-18 s for core and grammars either way).
            cSettings: [
                .headerSearchPath("vendor/core"), .headerSearchPath("vendor/core/include"), .unsafeFlags(["-O2"]),
            ]),
        .target(name: "ScribeCore", dependencies: [.product(name: "Logging", package: "swift-log")], swiftSettings: swift6),
        // Hashing, random tokens and the secret box over libcrypto: what the store, the server, the worker and the
        // CLI need without importing the network layer.
        .target(name: "ScribeCrypto", dependencies: ["CCrypto"], swiftSettings: swift6),
        .target(
            name: "ScribeStore",
            dependencies: ["ScribeCore", "ScribeCrypto", "CLibPQ", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swift6),
        .target(
            name: "ScribeNet",
            dependencies: ["ScribeCore", "CCurl", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swift6),
        .target(
            name: "ScribePipeline",
            dependencies: [
                "ScribeCore", "ScribeStore", "ScribeNet", "ScribeCrypto", "CSpawn", "CCmark",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swift6),
        // The queue runtime: the dispatcher, the worker launcher and this host's housekeeping (retention). Used by
        // scribe-fcgi (a thread) and `scribe dispatch` (cron), which therefore links no libfcgi.
        .target(
            name: "ScribeQueue",
            dependencies: [
                "ScribeCore", "ScribeStore", "ScribeNet", "ScribeCrypto", "CSpawn",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6),
        .target(
            name: "ScribeServer",
            dependencies: [
                "ScribeCore", "ScribeStore", "ScribeNet", "ScribeCrypto", "ScribeQueue", "CFastCGI",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6),
        .executableTarget(
            name: "scribe-fcgi",
            dependencies: ["ScribeServer", "ScribeQueue", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swift6),
        .executableTarget(
            name: "scribe-worker", dependencies: ["ScribePipeline", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swift6),
        .executableTarget(
            name: "scribe",
            dependencies: [
                "ScribeQueue", "ScribePipeline", "ScribeCrypto", .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swift6),
        // Debian's ctags has no Swift parser: this tool prints Swift symbols as ctags JSON lines.
        .executableTarget(
            name: "scribe-swift-symbols",
            dependencies: [
                "ScribeCore",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
            ]),
        // Declarations, doc comments and imports through tree-sitter grammars, as JSON lines; its own
        // process so that a hostile file can crash or hang only it.
        .executableTarget(name: "scribe-parse", dependencies: ["CTreeSitter", "ScribeCore"], swiftSettings: [.unsafeFlags(["-O"])]),
        .testTarget(name: "ScribeCoreTests", dependencies: ["ScribeCore"], swiftSettings: swift6),
        // A database of its own per suite, for the tests that need a real PostgreSQL.
        .target(
            name: "ScribeTestSupport", dependencies: ["ScribeStore"], path: "Tests/ScribeTestSupport",
            swiftSettings: swift6),
        .testTarget(
            name: "ScribeStoreTests", dependencies: ["ScribeCore", "ScribeStore", "ScribeCrypto", "ScribeTestSupport"],
            swiftSettings: swift6),
        .testTarget(name: "ScribeCryptoTests", dependencies: ["ScribeCrypto"], swiftSettings: swift6),
        .testTarget(
            name: "ScribeServerTests",
            dependencies: ["ScribeCore", "ScribeStore", "ScribeCrypto", "ScribeQueue", "ScribeServer", "ScribeTestSupport"],
            swiftSettings: swift6),
        .testTarget(
            name: "ScribePipelineTests", dependencies: ["ScribeCore", "ScribeStore", "ScribePipeline"], swiftSettings: swift6),
    ]
)
