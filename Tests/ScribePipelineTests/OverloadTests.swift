import Foundation
import Testing

@testable import ScribePipeline

/// Overloads form one entry in every language that has them: one heading, every declaration in the
/// signature block, the doc comment of the first documented one; same-named declarations in two files
/// stay two entries.
@Suite struct OverloadTests {
    static let files: [String: String] = [
        "Package.swift":
            "// swift-tools-version:5.9\nimport PackageDescription\nlet package = Package(name: \"Geo\", targets: [.target(name: \"Geo\")])\n",
        "Sources/Geo/Area.swift": """
        public struct Shape {
            /// Makes a square.
            public init(side: Double) {}
            public init(width: Double, height: Double) {}

            /// The area in square units.
            public func area() -> Double { 0 }
            public func area(scale: Double) -> Double { 0 }
            func area(debug: Bool) -> Double { 0 }
        }

        /// Formats a number.
        public func format(_ x: Int) -> String { "" }
        public func format(_ x: Double) -> String { "" }
        """,
        "Sources/Geo/Other.swift": """
        /// Formats a name.
        public func format(_ s: String) -> String { s }
        """,
        "src/main/java/com/acme/geo/Area.java": """
        package com.acme.geo;

        /** Areas. */
        public class Area {
            public Area() {}
            /** From a side. */
            public Area(double side) {}

            /** The area. */
            public double of(double side) { return 0; }
            /** Not this one. */
            public double of(double w, double h) { return 0; }
        }
        """,
        "src/main/kotlin/com/acme/geo/Scale.kt": """
        package com.acme.geo

        /** Scales a value. */
        fun scale(x: Int): Int = x
        fun scale(x: Double): Double = x
        """,
        "Acme.Geo/Acme.Geo.csproj": "<Project Sdk=\"Microsoft.NET.Sdk\"></Project>\n",
        "Acme.Geo/Ruler.cs": """
        namespace Acme.Geo
        {
            /// <summary>A ruler.</summary>
            public class Ruler
            {
                /// <summary>Measures an int.</summary>
                public int Measure(int x) { return x; }
                public double Measure(double x) { return x; }
            }
        }
        """,
        "cpp/include/geo.hpp": """
        #pragma once
        namespace geo {
        /// Adds two ints.
        int add(int a, int b);
        double add(double a, double b);
        }
        """,
        "cpp/src/geo.cpp": "#include \"geo.hpp\"\nnamespace geo {\nint add(int a, int b) { return a + b; }\n}\n",
    ]

    @Test func overloadsAreOneEntryPerLanguage() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let swift = "Sources/Geo/Area.swift"
        let inits = a.the("init", scope: "Shape", in: swift)
        #expect(inits?.overloads == 2)
        #expect(inits?.doc == "Makes a square.")
        #expect(inits?.line == 3)
        #expect(inits?.signatures == ["init(side: Double)", "init(width: Double, height: Double)"])
        // The internal overload is not part of the public entry.
        let areas = a.symbols.filter { $0.name == "area" && $0.path == swift }
        #expect(areas.count == 2)
        #expect(areas.first { $0.isPublic }?.overloads == 2)
        #expect(areas.first { $0.isPublic }?.doc == "The area in square units.")
        // Same name in another file: another entry.
        #expect(a.the("format", in: swift)?.overloads == 2)
        #expect(a.the("format", in: "Sources/Geo/Other.swift")?.overloads == nil)
        #expect(a.the("format", in: "Sources/Geo/Other.swift")?.doc == "Formats a name.")

        let java = "src/main/java/com/acme/geo/Area.java"
        let ctor = a.the("Area", scope: "Area", in: java)
        #expect(ctor?.overloads == 2)
        #expect(ctor?.doc == "From a side.")
        #expect(ctor?.line == 7)
        let of = a.the("of", scope: "Area", in: java)
        #expect(of?.doc == "The area.")
        #expect(of?.signatures.count == 2)

        let scale = a.the("scale", in: "src/main/kotlin/com/acme/geo/Scale.kt")
        #expect(scale?.overloads == 2)
        #expect(scale?.doc == "Scales a value.")

        let measure = a.the("Measure", scope: "Acme.Geo.Ruler", in: "Acme.Geo/Ruler.cs")
        #expect(measure?.overloads == 2)
        #expect(measure?.signatures == ["int Measure(int x)", "double Measure(double x)"])

        let add = a.the("add", scope: "geo", in: "cpp/include/geo.hpp")
        #expect(add?.overloads == 2)
        #expect(add?.doc == "Adds two ints.")
        #expect(add?.signatures == ["int add(int a, int b)", "double add(double a, double b)"])
        // The definitions in the source file are where the header's declarations are defined: no entry of their own.
        #expect(add?.definedAt?.path == "cpp/src/geo.cpp")
        #expect(a.symbols.filter { $0.name == "add" && $0.path == "cpp/src/geo.cpp" }.isEmpty)
        try checkTruth(a, root: f.root)
    }

    @Test func thePageShowsOneEntryWithEverySignature() throws {
        let f = try ModuleFixture(Self.files)
        defer { f.remove() }
        let a = try f.analyze()
        let (out, pages) = try f.document(a)
        let page = try String(contentsOfFile: out.dir + "/modules/Sources+Geo.md", encoding: .utf8)
        #expect(page.components(separatedBy: "### `format`").count == 3)  // one entry per file
        #expect(page.contains("```swift\nformat(_ x: Int) -> String\nformat(_ x: Double) -> String\n```"))
        #expect(
            page.contains(
                "| `init` — Makes a square. | function | `init(side: Double)`, `init(width: Double, height: Double)` |")
        )
        // Every mention on the page is one the analysis confirms.
        let v = PageVerifier(a)
        #expect(v.problems(markdown: page, pagePath: "modules/Sources+Geo.md", pages: Set(pages)).isEmpty)
    }

    @Test func pythonStubsShowTheirSignaturesAndKeepTheirDocstrings() throws {
        let f = try ModuleFixture([
            "calc/__init__.py": """
            from typing import overload

            @overload
            def parse(x: int) -> int:
                \"\"\"Stub doc.\"\"\"
            @overload
            def parse(x: str) -> str: ...
            def parse(x):
                return x
            """
        ])
        defer { f.remove() }
        let a = try f.analyze()
        let parse = a.symbols.filter { $0.name == "parse" }
        #expect(parse.count == 1)
        #expect(parse.first?.doc == nil)  // the stub's docstring is not the implementation's
        #expect(parse.first?.line == 8)
        #expect(parse.first?.signatures == ["parse(x: int) -> int", "parse(x: str) -> str"])
        let (out, _) = try f.document(a)
        let page = try String(contentsOfFile: out.dir + "/modules/calc.md", encoding: .utf8)
        #expect(page.contains("```python\nparse(x: int) -> int\nparse(x: str) -> str\n```\n\n_No doc comment._"))
        #expect(!page.contains("Stub doc."))
    }

    @Test func cMacrosOfEachPreprocessorBranchAreOneEntryAndBuildFilesDeclareNoAPI() throws {
        // cJSON: CJSON_PUBLIC defined once per platform branch; CMakeLists.txt and Makefile variables.
        let f = try ModuleFixture([
            "json.h": """
            #if defined(HIDE)
            #define JSON_PUBLIC(type) type
            #elif defined(EXPORT)
            #define JSON_PUBLIC(type) __declspec(dllexport) type
            #else
            #define JSON_PUBLIC(type) type
            #endif

            /* Parses text. */
            JSON_PUBLIC(int) json_parse(const char *text);
            """,
            "json.c": "#include \"json.h\"\nJSON_PUBLIC(int) json_parse(const char *text) { return 0; }\n",
            "CMakeLists.txt": "set(JSON_LIB json)\nset(SOURCES json.c)\n",
            "Makefile": "CC = gcc\nLDLIBS = -lm\n\nall: json.o\n",
        ])
        defer { f.remove() }
        let a = try f.analyze()
        let macro = a.symbols.filter { $0.name == "JSON_PUBLIC" }
        #expect(macro.count == 1)
        #expect(macro.first?.overloads == 3)
        #expect(macro.first?.line == 2)
        let listed = a.publicSymbols(in: ".").map { "\($0.path):\($0.name)" }.sorted()
        #expect(listed == ["json.h:JSON_PUBLIC", "json.h:json_parse"])
        #expect(a.symbols.first { $0.name == "json_parse" }?.definedAt.map { "\($0.path):\($0.line)" } == "json.c:2")
    }
}
