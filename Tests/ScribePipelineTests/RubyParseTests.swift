import Testing

@testable import ScribePipeline

/// Ruby through its syntax tree, as YARD reads it.
@Suite struct RubyParseTests {
    static let files: [String: String] = [
        "lib/shop/greeter.rb": """
            # frozen_string_literal: true

            require "json"
            require_relative "../core/base"
            # require "commented"
            NOTE = "require 'in_string'"

            module Shop
              # Greets people by name.
              class Greeter < Base
                # The default greeting.
                GREETING = "Hello"

                # Returns a greeting for name.
                def greet(name)
                  "#{GREETING}, #{name}"
                end

                # Builds one.
                def self.build
                  new
                end

                def helper; end
                private :helper

                private

                # Not part of the API.
                def secret; end
              end
            end
            """,
        "lib/other/greeter.rb": """
            # Another greeter, in another file.
            class Greeter
            end
            """,
    ]

    /// Scopes are written with dots, as the pages group members under their type's qualified name.
    @Test func classesMethodsDocsAndPrivateSections() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let g = "lib/shop/greeter.rb"
        #expect(a.the("Greeter", scope: "Shop", in: g)?.doc == "Greets people by name.")
        #expect(a.the("GREETING", scope: "Shop.Greeter", in: g)?.doc == "The default greeting.")
        #expect(a.the("greet", scope: "Shop.Greeter", in: g)?.doc == "Returns a greeting for name.")
        #expect(a.the("build", scope: "Shop.Greeter", in: g)?.kind == "singletonMethod")
        #expect(a.the("Shop", in: g)?.doc == nil)
        let publicNames = a.symbols.filter { $0.path == g && $0.isPublic }.map(\.qualifiedName)
        #expect(publicNames == ["NOTE", "Shop", "Shop.Greeter", "Shop.Greeter.GREETING", "Shop.Greeter.greet", "Shop.Greeter.build"])
        #expect(a.the("Greeter", in: "lib/other/greeter.rb")?.doc == "Another greeter, in another file.")
        try checkTruth(a, root: f.root)
    }

    @Test func requiresFromCodeOnly() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        #expect(a.imports(of: "lib/shop/greeter.rb") == ["3 json", "4 ../core/base"])
        #expect(a.imports.filter { $0.path == "lib/shop/greeter.rb" }.map(\.relative) == [false, true])
    }
}
