import Foundation
import Testing

@testable import ScribePipeline

/// A package's own prose is its purpose, by its language: a Swift target's DocC catalog, Go's package
/// comment, a Python package's docstring, Rust's `//!`, `package-info.java`; a README in the folder for
/// the languages that have no such place, and only there does it count as the package doc of the coverage.
@Suite struct PackageDocTests {
    static let files: [String: String] = [
        "Package.swift": """
        // swift-tools-version:5.9
        import PackageDescription
        let package = Package(name: "Kit", targets: [.target(name: "Kit"), .target(name: "Bare")])
        """,
        "Sources/Kit/Kit.swift": "/// Says hello.\npublic func hello() {}\n",
        "Sources/Kit/Kit.docc/Kit.md": """
        # ``Kit``

        @Metadata {
            @DisplayName("Kit")
        }

        Greets people
        in two lines.

        ## Overview

        Not the abstract.
        """,
        "Sources/Kit/Kit.docc/GettingStarted.md": "# Getting Started\n\nAn article, not the landing page.\n",
        "Sources/Bare/Bare.swift": "/// Does nothing.\npublic func nothing() {}\n",
        "Sources/Bare/README.md": "# Bare\n\nA README is not a Swift target's package doc.\n",
        "gokit/doc.go": "// Package gokit greets in Go.\npackage gokit\n",
        "gokit/kit.go": "package gokit\n\n// Hello says hello.\nfunc Hello() {}\n",
        "gokit/README.md": "# gokit\n\nThe README says something else.\n",
        "pykit/__init__.py": "\"\"\"Greetings in Python.\"\"\"\n\ndef hello():\n    \"\"\"Says hello.\"\"\"\n",
        "rustkit/Cargo.toml": "[package]\nname = \"rustkit\"\nversion = \"0.1.0\"\n",
        "rustkit/src/lib.rs": "//! Greetings in Rust.\n\n/// Says hello.\npub fn hello() {}\n",
        "src/main/java/com/acme/kit/package-info.java": "/** Greetings in Java. */\npackage com.acme.kit;\n",
        "src/main/java/com/acme/kit/Kit.java": "package com.acme.kit;\n\n/** A kit. */\npublic class Kit {}\n",
        "jskit/index.js": "/** Says hello. */\nexports.hello = function () {};\n",
        "jskit/README.md": "# jskit\n\nGreetings in JavaScript.\n",
    ]

    @Test func eachLanguagesOwnProseIsThePurposeAndThePackageDoc() throws {
        let f = try ModuleFixture(Self.files)
        defer { f.remove() }
        let a = try f.analyze()
        func purpose(_ m: String) -> String? {
            a.module(m).flatMap { BuiltinGenerator.purpose($0, a) }.map { "\($0.text) @ \($0.source)" }
        }
        #expect(purpose("Sources/Kit") == "Greets people in two lines. @ Sources/Kit/Kit.docc/Kit.md")
        #expect(purpose("gokit") == "Package gokit greets in Go. @ gokit/doc.go")
        #expect(purpose("pykit") == "Greetings in Python. @ pykit/__init__.py")
        #expect(purpose("rustkit") == "Greetings in Rust. @ rustkit/src/lib.rs")
        #expect(
            purpose("src/main/java/com/acme/kit") == "Greetings in Java. @ src/main/java/com/acme/kit/package-info.java"
        )
        #expect(purpose("jskit") == "Greetings in JavaScript. @ jskit/README.md")
        // A README is still a purpose, but not the package doc of a language that has its own place for one.
        #expect(purpose("Sources/Bare") == "A README is not a Swift target's package doc. @ Sources/Bare/README.md")
        for m in ["Sources/Kit", "gokit", "pykit", "rustkit", "src/main/java/com/acme/kit", "jskit"] {
            #expect(a.module(m).map { a.coverage(of: $0).percent } == 100, "\(m)")
        }
        #expect(
            a.module("Sources/Bare").map { a.coverage(of: $0) }
                == Analysis.Coverage(packageDoc: false, exported: 1, documented: 1))

        let (out, pages) = try f.document(a)
        let overview = try String(contentsOfFile: out.dir + "/index.md", encoding: .utf8)
        #expect(
            overview.contains(
                "| [`Sources/Kit`](modules/Sources+Kit.md) | SwiftPM target | 1 | 2 | 1 | 100.0 % | Greets people in two lines. |"
            ))
        let page = try String(contentsOfFile: out.dir + "/modules/Sources+Kit.md", encoding: .utf8)
        #expect(page.contains("> Greets people in two lines.\n\n— from `Sources/Kit/Kit.docc/Kit.md`"))
        #expect(PageVerifier(a).problems(markdown: page, pagePath: "modules/Sources+Kit.md", pages: Set(pages)).isEmpty)
    }

    @Test func doccAbstractSkipsDirectivesAndStopsAtTheFirstBlankLine() {
        #expect(
            SwiftModules.abstract("# ``X``\n\n@Metadata {\n  @TechnologyRoot\n}\n\nOne.\nTwo.\n\nThree.\n")
                == "One. Two.")
        #expect(SwiftModules.abstract("# ``X``\n\n## Topics\n") == nil)
        #expect(SwiftModules.abstract("No title.\n") == nil)
        // swift-collections' DequeModule.docc: Xcode's template, never filled in.
        #expect(
            SwiftModules.abstract("# ``DequeModule``\n\n<!--@START_MENU_TOKEN@-->Summary<!--@END_MENU_TOKEN@-->\n")
                == nil)
        #expect(SwiftModules.abstract("# ``X``\n\n<!-- a note -->\nThe abstract.\n") == "The abstract.")
    }

    @Test func theLandingArticleMayCarryACommentAfterItsTitle() {
        // swift-nio's Sources/NIO/Docs.docc/index.md.
        let landing = "# ``NIO`` <!-- SwiftNIO -->\n\nEvent-driven, non-blocking, network application framework.\n\n## Overview\n"
        let files = ["Sources/NIO/Docs.docc/index.md": landing, "Sources/NIO/Docs.docc/Articles/other.md": "# Other\n\nNo.\n"]
        let found = SwiftModules.doccAbstract(target: "NIO", folder: "Sources/NIO", paths: Array(files.keys)) { files[$0] }
        #expect(found?.text == "Event-driven, non-blocking, network application framework.")
        #expect(found?.path == "Sources/NIO/Docs.docc/index.md")
    }
}
