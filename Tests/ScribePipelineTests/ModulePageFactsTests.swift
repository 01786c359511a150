import Foundation
import Testing

@testable import ScribePipeline

/// Module pages state their own onboarding facts and their types' hierarchy; entry points include the
/// command trees that CLI libraries declare statically.
@Suite("Module pages: own facts, class hierarchy, command trees")
struct ModulePageFactsTests {
    static let tree: [String: String] = [
        "shop/__init__.py": """
        \"\"\"The catalogue.\"\"\"
        import os

        PORT = os.environ.get("SHOP_PORT", "8080")


        class Base:
            \"\"\"Anything with a price.\"\"\"


        class Widget(Base, metaclass=type):
            \"\"\"A thing for sale.\"\"\"


        @app.get("/widgets")
        def widgets():
            \"\"\"All widgets.\"\"\"
            return []

        """,
        "shop/README.md": "# Shop\n\nThe catalogue.\n\n## Usage\n\n```sh\npython -m shop\n```\n",
        "tools/__init__.py": """
        \"\"\"Command line.\"\"\"
        import argparse
        import click

        from shop import Widget


        class Gadget(Widget):
            \"\"\"A widget that does more.\"\"\"


        @click.group()
        def cli():
            \"\"\"The shop's command line.\"\"\"


        @cli.command()
        def sync_all():
            \"\"\"Syncs.\"\"\"


        @cli.group("db")
        def database():
            \"\"\"Database commands.\"\"\"


        @database.command(name="migrate")
        def run_migrations():
            \"\"\"Migrates.\"\"\"


        def main():
            \"\"\"argparse variant.\"\"\"
            parser = argparse.ArgumentParser()
            sub = parser.add_subparsers(dest="cmd")
            serve = sub.add_parser("serve")
            inner = serve.add_subparsers()
            inner.add_parser("http")

        """,
        "cmd/app/main.go": """
        package main

        import "github.com/spf13/cobra"

        var rootCmd = &cobra.Command{
        \tUse: "app",
        }

        var serveCmd = &cobra.Command{
        \tUse:   "serve [flags]",
        \tShort: "Serve",
        }

        func main() {
        \trootCmd.AddCommand(serveCmd)
        \trootCmd.Execute()
        }

        """,
        "cmd/app/version.go": """
        package main

        import "github.com/spf13/cobra"

        var versionCmd = &cobra.Command{Use: "version"}

        func init() { rootCmd.AddCommand(versionCmd) }

        """,
        "web/package.json":
            "{\n  \"name\": \"web\",\n  \"main\": \"index.js\",\n  \"bin\": {\"web-build\": \"index.js\"},\n"
            + "  \"scripts\": {\n    \"build\": \"node index.js build dist\"\n  }\n}\n",
        "web/index.js": """
        const { program } = require('commander');

        /** A view. */
        export class View {}

        /** The home page. */
        export class Home extends View {}

        program.command('build <dir>').action(() => {});

        """,
        "geo/shapes.hpp": "class Circle : public Shape2, private ns::Impl<int> {\npublic:\n    void draw();\n};\n",
        "jv/Box.java": "package jv;\n\npublic class Box<T> extends Base<T> implements Runnable, Closeable {}\n",
        "kt/Thing.kt": "package kt\n\nclass Thing : Base(), Runnable\n",
        "cs/Item.cs": "namespace Acme {\n    public class Item<T> : Base, IThing where T : class {}\n}\n",
        "rb/lib/shelf.rb": "# A shelf.\nclass Shelf < Store::Base\nend\n",
        "php/src/Crate.php":
            "<?php\nnamespace App;\n\n/** A crate. */\nclass Crate extends \\App\\Box implements Countable, Stringable {}\n",
        "Package.swift": """
        // swift-tools-version:5.9
        import PackageDescription
        let package = Package(name: "Kit", targets: [.executableTarget(name: "kit", path: "Sources/kit")])

        """,
        "Sources/kit/Kit.swift": """
        import ArgumentParser

        /// A shape.
        public protocol Shape {}

        /// A square.
        public final class Square: NSObject, Shape {}

        /// Squares can be compared.
        extension Square: Comparable {}

        struct Kit: ParsableCommand {
            static let configuration = CommandConfiguration(
                subcommands: [UserCreate.self,
                              Serve.self])
        }

        struct UserCreate: ParsableCommand {}

        struct Serve: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "run-server")
        }

        """,
    ]

    func entry(_ a: Analysis, _ text: String) -> String? {
        a.facts.entryPoints.first { $0.text == text }.map { "\($0.detail ?? "") \($0.path):\($0.line)" }
    }

    @Test("command trees of click, argparse, cobra, ArgumentParser and commander, each at its declaration")
    func commandTrees() throws {
        let fx = try Fixture(Self.tree)
        let a = try fx.analyze()
        #expect(entry(a, "cli") == "click group tools/__init__.py:13")
        #expect(entry(a, "cli sync-all") == "click command tools/__init__.py:18")
        #expect(entry(a, "cli db") == "click group tools/__init__.py:22")
        #expect(entry(a, "cli db migrate") == "click command tools/__init__.py:27")
        #expect(entry(a, "serve") == "argparse subcommand tools/__init__.py:36")
        #expect(entry(a, "serve http") == "argparse subcommand tools/__init__.py:38")
        #expect(entry(a, "app") == "cobra command cmd/app/main.go:6")
        #expect(entry(a, "app serve") == "cobra command cmd/app/main.go:10")
        #expect(entry(a, "app version") == "cobra command cmd/app/version.go:5")
        #expect(entry(a, "kit user-create") == "ArgumentParser subcommand Sources/kit/Kit.swift:14")
        #expect(entry(a, "kit run-server") == "ArgumentParser subcommand Sources/kit/Kit.swift:21")
        #expect(entry(a, "build") == "commander command web/index.js:9")
    }

    @Test("click groups and argparse subparsers take the commands other files declare, through their imports")
    func pythonTreesAcrossFiles() throws {
        let fx = try Fixture([
            "pkg/__init__.py": "from .cli import cli\n",
            "pkg/cli.py": """
                import click


                @click.group()
                def cli():
                    \"\"\"The tool.\"\"\"

                """,
            "pkg/extra.py": """
                import click


                @click.command()
                def sync_all():
                    \"\"\"Syncs.\"\"\"

                """,
            "pkg/users.py": """
                from .cli import cli as root
                from .extra import sync_all


                @root.group(name="users")
                def users_group():
                    \"\"\"Users.\"\"\"


                @users_group.command
                def Add_User():
                    \"\"\"Adds.\"\"\"


                root.add_command(sync_all)

                """,
            "app/main.py": """
                from pkg import cli
                from pkg import extra


                @cli.command()
                def serve():
                    \"\"\"Serves.\"\"\"


                cli.add_command(extra.sync_all, name="again")

                """,
            "pkg/docs.py": """
                def helper():
                    \"\"\"Used like this:

                @click.group()
                def example():
                    pass

                    parser.add_subparsers().add_parser("nothing")
                    \"\"\"

                """,
            "tool/__init__.py": "",
            "tool/main.py": """
                import argparse

                from tool import serve
                from tool.db import register as register_db


                def main():
                    parser = argparse.ArgumentParser()
                    sub = parser.add_subparsers(dest="cmd")
                    serve.add_commands(sub)
                    db = sub.add_parser("db")
                    register_db(db)

                """,
            "tool/serve.py": """
                def add_commands(subparsers):
                    serve = subparsers.add_parser("serve")
                    inner = serve.add_subparsers()
                    inner.add_parser("http")

                """,
            "tool/db.py": """
                def register(
                    parser,
                ):
                    commands = parser.add_subparsers()
                    commands.add_parser("migrate")

                """,
        ])
        let a = try fx.analyze()
        #expect(entry(a, "cli") == "click group pkg/cli.py:5")
        #expect(entry(a, "cli users") == "click group pkg/users.py:5")
        #expect(entry(a, "cli users add-user") == "click command pkg/users.py:11")
        #expect(entry(a, "cli sync-all") == "click command pkg/extra.py:5")
        #expect(entry(a, "cli serve") == "click command app/main.py:6")
        #expect(entry(a, "cli again") == "click command app/main.py:10")
        #expect(entry(a, "sync-all") == nil, "a command a group takes is not a tree of its own")
        #expect(entry(a, "db") == "argparse subcommand tool/main.py:11")
        #expect(entry(a, "db migrate") == "argparse subcommand tool/db.py:5")
        #expect(entry(a, "serve") == "argparse subcommand tool/serve.py:2")
        #expect(entry(a, "serve http") == "argparse subcommand tool/serve.py:4")
        #expect(entry(a, "migrate") == nil, "a parser handed in is not the root's")
        #expect(entry(a, "example") == nil && entry(a, "nothing") == nil, "a docstring's example declares nothing")
        let clickOrArgparse = a.facts.entryPoints.filter { $0.detail?.hasPrefix("click") == true || $0.detail?.hasPrefix("argparse") == true }
        #expect(clickOrArgparse.count == 10, "\(clickOrArgparse.map(\.text))")
    }

    @Test("a module page lists its source files and the README and manifest it cites, and counts the rest")
    func filesTable() throws {
        let fx = try Fixture([
            ".editorconfig": "root = true\n",
            "LICENSE": "MIT\n",
            "CMakeLists.txt": "project(lib C)\n",
            "Makefile": "all:\n\tcc -c lib.c\n\ntest:\n\t./test\n",
            "README.md": "# lib\n\nA small library.\n",
            "lib.h": "/** Adds. */\nint add(int a, int b);\n",
            "lib.c": "#include \"lib.h\"\n\nint add(int a, int b) { return a + b; }\n",
            "pkg/__init__.py": "\"\"\"The package.\"\"\"\n",
            "pkg/py.typed": "",
        ])
        let a = try fx.analyze()
        func files(_ path: String) throws -> String {
            let m = try #require(a.modules.first { $0.path == path })
            let page = BuiltinGenerator().modulePage(m, a).markdown
            let start = try #require(page.range(of: "## Files\n"))
            return String(page[start.upperBound...].prefix { $0 != "[" })
        }
        #expect(
            try files(".")
                == """

                | File | Language | Lines |
                | --- | --- | ---: |
                | `Makefile` | Makefile | 5 |
                | `README.md` | Markdown | 3 |
                | `lib.c` | C | 3 |
                | `lib.h` | C | 2 |

                _3 other files in its folder (configuration, build, prose and data) are not listed._


                """)
        #expect(try files("pkg").hasSuffix("| `pkg/__init__.py` | Python | 1 |\n\n_1 other file in its folder (configuration, build, prose and data) is not listed._\n\n"))
    }

    @Test("the parsers give each type's bases as its declaration names them")
    func bases() throws {
        let fx = try Fixture(Self.tree)
        let a = try fx.analyze()
        #expect(a.the("Widget")?.inherits == ["Base"])
        #expect(a.the("Gadget")?.inherits == ["Widget"])
        #expect(a.the("Home")?.inherits == ["View"])
        #expect(a.symbols.first { $0.kind == "class" && $0.name == "Square" }?.inherits == ["NSObject", "Shape"])
        #expect(a.symbols.first { $0.kind == "extension" && $0.name == "Square" }?.inherits == ["Comparable"])
        func bases(_ name: String) -> [String]? { a.symbols.first { $0.name == name && $0.isType }?.inherits }
        #expect(bases("Circle") == ["Shape2", "ns::Impl"])
        #expect(bases("Box") == ["Base", "Runnable", "Closeable"])
        #expect(bases("Thing") == ["Base", "Runnable"])
        #expect(bases("Item") == ["Base", "IThing"])
        #expect(bases("Shelf") == ["Store::Base"])
        #expect(bases("Crate") == ["\\App\\Box", "Countable", "Stringable"])
    }

    @Test(
        "a module page lists its own entry points, routes, variables and README commands, cited, and its hierarchy linked"
    )
    func modulePage() throws {
        let fx = try Fixture(Self.tree)
        let a = try fx.analyze()
        var gen = BuiltinGenerator()
        gen.sourceLinks = Site.SourceLinks(repositoryURL: "/srv/git/shop", commit: String(repeating: "a", count: 40))
        gen.directory = SymbolDirectory()
        let shop = try #require(a.modules.first { $0.path == "shop" })
        let page = gen.modulePage(shop, a).markdown
        let src = "../source/shop+__init__.py.html"
        #expect(
            page.contains(
                "## Install, build, test and run\n\n- `python -m shop` — Usage, [`shop/README.md:8`](../source/shop+README.md.html#L8)\n"
            ))
        #expect(page.contains("| GET | `/widgets` | [`shop/__init__.py:15`](\(src)#L15) |"))
        #expect(page.contains("| `SHOP_PORT` | `\"8080\"` | [`shop/__init__.py:4`](\(src)#L4) |"))
        #expect(!page.contains("cli sync-all"), "another module's entry points stay on its page")
        #expect(
            page.contains(
                "- `Widget` (class, [`shop/__init__.py:11`](\(src)#L11)) — extends or implements [`Base`](../modules/shop.md#base)"
                    + " — extended by `Gadget` ([`tools/__init__.py:8`](../source/tools+__init__.py.html#L8))\n"))
        #expect(page.contains("- `Base` (class, [`shop/__init__.py:7`](\(src)#L7)) — extended by `Widget`"))

        let tools = try #require(a.modules.first { $0.path == "tools" })
        let toolsPage = gen.modulePage(tools, a).markdown
        #expect(
            toolsPage.contains(
                "## Entry points\n\n- `cli` — click group, [`tools/__init__.py:13`](../source/tools+__init__.py.html#L13)\n"
            ))
        #expect(toolsPage.contains("— extends or implements [`Widget`](../modules/shop.md#widget)"))
        #expect(!toolsPage.contains("SHOP_PORT"))

        // A module's own manifest: its scripts and executables, cited in it.
        let web = try #require(a.modules.first { $0.path == "web" })
        let webPage = gen.modulePage(web, a).markdown
        #expect(
            webPage.contains(
                "- `npm run build` — package.json script, [`web/package.json:6`](../source/web+package.json.html#L6)\n")
        )
        #expect(
            webPage.contains(
                "- `web-build` — package.json bin, [`web/package.json:4`](../source/web+package.json.html#L4)\n"))
        #expect(webPage.contains("- `build` — commander command, [`web/index.js:9`](../source/web+index.js.html#L9)\n"))
        #expect(
            webPage.contains("- `Home` (class, ")
                && webPage.contains("extends or implements [`View`](../modules/web.md#view)"))

        let kit = try #require(a.modules.first { $0.files.contains { $0.path == "Sources/kit/Kit.swift" } })
        let kitPage = gen.modulePage(kit, a).markdown
        #expect(kitPage.contains("- `Square` (class, "))
        #expect(
            kitPage.contains(
                "inherits from or conforms to `NSObject`, [`Shape`](../modules/Sources+kit.md#shape) — conforms to `Comparable` (extension at "
            ))
        // The page checker accepts every name and citation these sections show.
        let verifier = PageVerifier(a)
        for p in [page, toolsPage, kitPage] {
            let found = verifier.problems(markdown: p, pagePath: "modules/x.md", pages: [])
                .filter { !$0.contains("which was not written") }
            #expect(found.isEmpty, "\(found)")
        }
    }
}
