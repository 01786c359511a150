import Testing

@testable import ScribePipeline

/// Go through its syntax tree, as pkgsite reads it.
@Suite struct GoParseTests {
    static let files: [String: String] = [
        "go.mod": "module example.com/srv\n\ngo 1.22\n",
        "srv.go": """
            // Copyright 2026 The Authors.

            // Package srv serves things.
            //
            // It keeps them in memory.
            package srv

            import (
            \t"fmt"
            \thttp "net/http"
            \t// "os"
            )

            // MaxConns is the limit.
            const MaxConns = 10

            const (
            \t// First is first.
            \tFirst = iota
            \tsecond
            )

            // Server serves.
            type Server struct {
            \t// Addr is where.
            \tAddr string
            \tport int
            }

            //go:generate stringer
            // Start starts it.
            func (s *Server) Start() error { return nil }

            func (s *server) stop() {}

            type server struct{}

            var banner = fmt.Sprintf("import %q", "os")
            var _ = http.StatusOK
            """,
        "srv_test.go": """
            package srv

            import "testing"

            func TestStart(t *testing.T) {}

            // ExampleServer_Start starts a server.
            func ExampleServer_Start() {}

            func Example() {}
            """,
    ]

    @Test func exportedNamesDocsAndPackageDoc() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        #expect(a.the("MaxConns", scope: "srv")?.doc == "MaxConns is the limit.")
        #expect(a.the("First", scope: "srv")?.doc == "First is first.")
        #expect(a.the("Server", scope: "srv")?.doc == "Server serves.")
        #expect(a.the("Addr", scope: "srv.Server")?.doc == "Addr is where.")
        #expect(a.the("Start", scope: "srv.Server")?.doc == "Start starts it.")
        #expect(a.the("Start", scope: "srv.Server")?.kind == "method")
        #expect(a.moduleDocs["."]?.text == "Package srv serves things.\n\nIt keeps them in memory.")
        let publicNames = a.symbols.filter(\.isPublic).map(\.qualifiedName).sorted()
        #expect(publicNames == ["srv.First", "srv.MaxConns", "srv.Server", "srv.Server.Addr", "srv.Server.Start"])
        try checkTruth(a, root: f.root)
    }

    @Test func testFilesHoldTestsAndExamplesNeverAPI() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let example = a.the("ExampleServer_Start", scope: "srv")
        #expect(example?.role == "example")
        #expect(example?.documents == "Server.Start")
        #expect(example?.doc == "ExampleServer_Start starts a server.")
        #expect(a.the("TestStart", scope: "srv")?.role == "test")
        #expect(a.the("Example", scope: "srv")?.role == "example")
        #expect(!a.symbols.contains { $0.path == "srv_test.go" && $0.isPublic })
    }

    @Test func importsWithTheirPaths() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        #expect(a.imports(of: "srv.go") == ["9 fmt", "10 net/http"])
        #expect(a.imports.first { $0.target == "net/http" }?.names == ["http"])
        #expect(a.imports(of: "srv_test.go") == ["3 testing"])
    }
}
