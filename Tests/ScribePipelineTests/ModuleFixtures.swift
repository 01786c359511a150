/// The repositories the module, import and coverage tests share, each a regression of a defect seen on
/// real projects.
enum ModuleFixtures {
    /// The manifest of a one-target Swift package `Kit` (`Sources/Kit`).
    static let kitManifest =
        "// swift-tools-version:5.9\nimport PackageDescription\nlet package = Package(name: \"Kit\", targets: [.target(name: \"Kit\")])\n"

    /// The package `Kit` with `source` as `Sources/Kit/Kit.swift`, and more files.
    static func kit(_ source: String, _ more: [String: String] = [:]) -> [String: String] {
        more.merging(["Package.swift": kitManifest, "Sources/Kit/Kit.swift": source]) { _, new in new }
    }

    /// A Go module whose package is at the root, with a sub-package, a test file, an example and CI.
    static let goRoot: [String: String] = [
        "go.mod": "module example.com/lib\n\ngo 1.21\n",
        "lib.go": """
            // Package lib keeps values.
            package lib

            import (
            \t"fmt"
            \t"example.com/lib/internal/util"
            )

            // New makes a value.
            func New() int { return util.Double(1) }

            // Get reads a value.
            func Get() int { return 2 }

            // Put stores a value.
            func Put(v int) { fmt.Println(v) }

            func Drop() {}

            // hidden is documented but not exported.
            func hidden() {}

            """,
        "lib_test.go": "package lib\n\nimport \"testing\"\n\nfunc TestNew(t *testing.T) {\n\tif New() != 2 {\n\t\tt.Fatal()\n\t}\n}\n",
        "internal/util/util.go": """
            package util

            // Double doubles.
            func Double(x int) int { return x * 2 }

            func Half(x int) int { return x / 2 }

            """,
        "example_test.go": "package lib_test\n\nimport \"example.com/lib\"\n\nfunc ExamplePut() {\n\tlib.Put(1)\n}\n",
        "examples/basic/main.go": "package main\n\nimport \"example.com/lib\"\n\nfunc main() {\n\t_ = lib.Get()\n}\n",
        ".github/workflows/ci.yml": "on: push\n",
        "docs/guide.md": "# Guide\n",
    ]

    /// A C library with its sources at the root, a public include folder, and a compat folder whose
    /// `poll.h` shares its name with the system header.
    static let cRoot: [String: String] = [
        "ae.c": "#include <poll.h>\n#include \"ae.h\"\n#include <mylib/api.h>\n#include <stdio.h>\n\nint ae_main(void) { return 0; }\n",
        "ae.h": "/* The event loop. */\nint ae_main(void);\n",
        "zmalloc.c": "#include <stdlib.h>\n\n#include \"compat/poll.h\"\n\nvoid *zmalloc(int n) { return malloc(n); }\n",
        "compat/poll.h": "int poll_compat(void);\n",
        "compat/poll.c": "#include \"poll.h\"\nint poll_compat(void) { return 0; }\n",
        "include/mylib/api.h": "int api_version(void);\n",
        "tests/test_ae.c": "#include \"../ae.h\"\nint main(void) { return ae_main(); }\n",
    ]

    /// A Python project with sub-packages; a relative import whose name is also a Markdown file under
    /// docs/ and a folder under examples/; `typing` beside a `tests/typing` folder.
    static let python: [String: String] = [
        "setup.py": "from setuptools import setup\nsetup(name='pkg')\n",
        "pkg/__init__.py": "\"\"\"The package.\"\"\"\n",
        "pkg/core.py": "import typing\nfrom .helpers import fmt\n\n\ndef run(x):\n    \"\"\"Runs.\"\"\"\n    return fmt(x)\n",
        "pkg/helpers.py": "def fmt(x):\n    return str(x)\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/deep.py": "from ..helpers import fmt\nfrom . import leaf\nimport os.path\n\n\ndef dig():\n    return fmt(1)\n",
        "pkg/sub/leaf.py": "LEAF = 1\n",
        "docs/helpers.md": "# helpers\n",
        "examples/helpers/__init__.py": "",
        "examples/helpers/demo.py": "from pkg.core import run\n\nprint(run(3))\n",
        "tests/typing/__init__.py": "",
        "tests/test_core.py": "from pkg.core import run\n\n\ndef test_run():\n    assert run(1) == '1'\n",
    ]

    /// npm workspaces: a scoped package used by name from another, TypeScript resolved from a `.js` path.
    static let workspaces: [String: String] = [
        "package.json": "{\"private\": true, \"workspaces\": [\"packages/*\"]}\n",
        "packages/ui/package.json": "{\"name\": \"@acme/ui\", \"main\": \"src/index.js\"}\n",
        "packages/ui/src/index.js": "export { button } from './button';\n",
        "packages/ui/src/button.js": "/** Draws a button. */\nexport function button() { return 1; }\n",
        "packages/app/package.json": "{\"name\": \"app\", \"bin\": {\"app\": \"cli.js\"}, \"main\": \"dist/app.js\"}\n",
        "packages/app/cli.js": "const ui = require('@acme/ui');\nconst react = require('react');\nconst local = require('./local.js');\n",
        "packages/app/local.ts": "export const local = 1;\n",
        "packages/app/cli.test.js": "const ui = require('@acme/ui');\n",
    ]

    /// A Cargo workspace: a library crate with a `mod` folder, a binary crate using it by name.
    static let rust: [String: String] = [
        "Cargo.toml": "[workspace]\nmembers = [\"crates/*\"]\n",
        "crates/core/Cargo.toml": "[package]\nname = \"acme-core\"\nversion = \"0.1.0\"\n",
        "crates/core/src/lib.rs": "//! The core.\npub mod parse;\npub mod net;\n",
        "crates/core/src/parse.rs": "/// Parses.\npub fn parse() {}\n",
        "crates/core/src/net/mod.rs": "pub mod tcp;\nuse crate::parse::parse;\n",
        "crates/core/src/net/tcp.rs": "use super::super::parse;\npub fn connect() {}\n",
        "crates/cli/Cargo.toml": "[package]\nname = \"acme-cli\"\n\n[dependencies]\nacme-core = { path = \"../core\" }\n",
        "crates/cli/src/main.rs": "use std::io;\nuse acme_core::parse::parse;\nuse serde::Deserialize;\n\nfn main() {}\n",
        "crates/core/tests/it.rs": "use acme_core::parse::parse;\n#[test]\nfn t() { parse(); }\n",
    ]

    /// A SwiftPM package with a target at a declared path, an executable at the conventional one, and tests.
    static let swiftPM: [String: String] = [
        "Package.swift": """
            // swift-tools-version:5.9
            import PackageDescription

            let package = Package(
                name: "Shapes",
                targets: [
                    .target(name: "Kit", path: "Lib/Kit"),
                    .executableTarget(name: "Tool", dependencies: ["Kit"]),
                    .testTarget(name: "KitTests", dependencies: ["Kit"]),
                ]
            )

            """,
        "Lib/Kit/Geometry.swift": "/// A point.\npublic struct Point {\n    public var x: Int\n}\n",
        "Sources/Tool/main.swift": "import Foundation\nimport Kit\n\nprint(Point(x: 1))\n",
        "Tests/KitTests/GeometryTests.swift": "import XCTest\n@testable import Kit\n\nfinal class GeometryTests: XCTestCase {\n    func testPoint() { _ = Point(x: 1) }\n}\n",
    ]

    static let all: [(String, [String: String])] = [
        ("go", goRoot), ("c", cRoot), ("python", python), ("workspaces", workspaces), ("rust", rust), ("swiftpm", swiftPM),
    ]
}
