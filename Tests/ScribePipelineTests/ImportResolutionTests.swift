import Testing

@testable import ScribePipeline

@Suite("Imports resolved by each language's rules")
struct ImportResolutionTests {
    private func resolved(_ a: Analysis, _ path: String, _ line: Int) -> String? {
        let imp = a.imports.first { $0.path == path && $0.line == line }
        return imp.flatMap { DependencyResolver(files: a.files, layout: a.layout).resolveFile($0) }
    }

    @Test("Go import paths go through go.mod's module path; the standard library stays outside")
    func go() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.goRoot)
        #expect(a.edgeLines == [". -> internal/util @ lib.go:6"])
        #expect(resolved(a, "lib.go", 5) == nil)  // "fmt"
    }

    @Test("C: quoted includes from the file's folder, angle includes only through include folders")
    func c() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.cRoot)
        #expect(a.edgeLines == [". -> compat @ zmalloc.c:3", ". -> include/mylib @ ae.c:3"])
        #expect(resolved(a, "ae.c", 1) == nil)  // <poll.h> is the system's, not compat/poll.h
        #expect(resolved(a, "compat/poll.c", 1) == "compat/poll.h")
        #expect(a.layout.includeDirs == ["include"])
    }

    @Test("C: include folders the build declares")
    func cmakeIncludes() throws {
        let a = try ModuleFixture.analysis(of: [
            "CMakeLists.txt": "project(x C)\ntarget_include_directories(x PUBLIC\n  ${CMAKE_CURRENT_SOURCE_DIR}/api)\n",
            "api/x.h": "int x(void);\n", "src/x.c": "#include <x.h>\n#include <poll.h>\nint x(void) { return 1; }\n",
        ])
        #expect(a.layout.includeDirs == ["api"])
        #expect(a.edgeLines == ["src -> api @ src/x.c:1"])
    }

    @Test("Python: relative imports within their package, never a docs file or an examples folder; typing is the standard library's")
    func python() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.python)
        #expect(a.edgeLines == ["pkg/sub -> pkg @ pkg/sub/deep.py:1"])
        #expect(resolved(a, "pkg/core.py", 1) == nil)  // import typing, beside tests/typing
        #expect(resolved(a, "pkg/core.py", 2) == "pkg/helpers.py")  // not docs/helpers.md, not examples/helpers
        #expect(resolved(a, "pkg/sub/deep.py", 1) == "pkg/helpers.py")
        #expect(resolved(a, "pkg/sub/deep.py", 2) == "pkg/sub/__init__.py")
        #expect(resolved(a, "pkg/sub/deep.py", 3) == nil)  // os.path
    }

    @Test("JS/TS: workspace package names, relative paths with TypeScript sources; third-party names stay outside")
    func javascript() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.workspaces)
        #expect(a.edgeLines == ["packages/app -> packages/ui/src @ packages/app/cli.js:1"])
        #expect(resolved(a, "packages/app/cli.js", 1) == "packages/ui/src/index.js")
        #expect(resolved(a, "packages/app/cli.js", 2) == nil)  // react
        #expect(resolved(a, "packages/app/cli.js", 3) == "packages/app/local.ts")
        #expect(resolved(a, "packages/ui/src/index.js", 1) == "packages/ui/src/button.js")
    }

    @Test("Rust: crate::, super::, mod and workspace crate names; std and third-party crates stay outside")
    func rust() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.rust)
        #expect(
            a.edgeLines == [
                "crates/cli -> crates/core @ crates/cli/src/main.rs:2",
                "crates/core -> crates/core/src/net @ crates/core/src/lib.rs:3",
                "crates/core/src/net -> crates/core @ crates/core/src/net/mod.rs:2",
                "crates/core/src/net -> crates/core @ crates/core/src/net/tcp.rs:1",
            ])
        #expect(resolved(a, "crates/cli/src/main.rs", 1) == nil)
        #expect(resolved(a, "crates/cli/src/main.rs", 3) == nil)
    }

    @Test("Swift: import of the package's own targets; Foundation stays outside")
    func swift() throws {
        let a = try ModuleFixture.analysis(of: ModuleFixtures.swiftPM)
        #expect(a.edgeLines == ["Sources/Tool -> Lib/Kit @ Sources/Tool/main.swift:2"])
        #expect(resolved(a, "Sources/Tool/main.swift", 1) == nil)
    }

    @Test("PHP: use names through composer.json's autoload.psr-4 map, citing the use line; unmapped names stay outside")
    func php() throws {
        let a = try ModuleFixture.analysis(of: [
            "composer.json": """
                {"autoload": {"psr-4": {"Acme\\\\Log\\\\": "src/", "Acme\\\\Util\\\\": ["lib/util/"]}},
                 "autoload-dev": {"psr-4": {"Acme\\\\Log\\\\Tests\\\\": "tests/"}}}
                """,
            "src/Logger.php": """
                <?php
                namespace Acme\\Log;

                use Acme\\Log\\Handler\\StreamHandler;
                use Acme\\Util\\Clock;
                use Psr\\Log\\LoggerInterface;
                use Handler\\Missing;

                class Logger {}
                """,
            "src/Handler/StreamHandler.php": "<?php\nnamespace Acme\\Log\\Handler;\n\nclass StreamHandler {}\n",
            "lib/util/Clock.php": "<?php\nnamespace Acme\\Util;\n\nclass Clock {}\n",
            // Folders named like an unmapped namespace are never its target.
            "Psr/Log/LoggerInterface.php": "<?php\nnamespace Psr\\Log;\n\ninterface LoggerInterface {}\n",
            "Handler/Missing.php": "<?php\nclass Missing {}\n",
        ])
        #expect(a.layout.phpNamespaces.map { "\($0.prefix) \($0.dir)" } == ["Acme\\Log\\Tests tests", "Acme\\Util lib/util", "Acme\\Log src"])
        #expect(a.edgeLines == ["src -> lib/util @ src/Logger.php:5", "src -> src/Handler @ src/Logger.php:4"])
        #expect(resolved(a, "src/Logger.php", 6) == nil)
        #expect(resolved(a, "src/Logger.php", 7) == nil)
    }
}
