import Foundation
import Testing

@testable import ScribeCore
@testable import ScribePipeline

/// A folder under the system's temporary folder, removed when the test ends.
final class TempTree {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "scribe-clonetree-\(UUID().uuidString)"
        mkdir(path, 0o700)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes a file whose name may hold any byte but NUL and `/`, creating its folders.
    func write(_ components: [[UInt8]], _ text: String) {
        var dir = path
        for c in components.dropLast() {
            dir += "/" + String(decoding: c, as: UTF8.self)
            mkdir(dir, 0o700)
        }
        let name = Array(dir.utf8) + [UInt8(ascii: "/")] + components.last! + [0]
        let fd = name.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_TRUNC, 0o600) }
        }
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

@Suite("CloneTree")
struct CloneTreeTests {
    @Test("reads regular files and refuses a link in any component of the path")
    func noLinks() throws {
        let t = TempTree()
        let outside = TempTree()
        outside.write([Array("secret.txt".utf8)], "secret")
        t.write([Array("core".utf8), Array("a.py".utf8)], "def a(): pass\n")
        symlink(outside.path + "/secret.txt", t.path + "/core/leak.py")
        symlink(outside.path, t.path + "/out")
        symlink("core", t.path + "/alias")
        let tree = CloneTree(root: t.path)
        guard case .bytes(let b) = tree.read("core/a.py", maxBytes: 1 << 20) else {
            Issue.record("a regular file was not read")
            return
        }
        #expect(String(decoding: b, as: UTF8.self) == "def a(): pass\n")
        for path in ["core/leak.py", "out/secret.txt", "alias/a.py", "core/../out/secret.txt", "core/./a.py"] {
            guard case .notRegular = tree.read(path, maxBytes: 1 << 20) else {
                Issue.record("\(path) was read")
                continue
            }
        }
        guard case .tooLarge = tree.read("core/a.py", maxBytes: 3) else {
            Issue.record("the size limit was not applied")
            return
        }
    }

    @Test("splits paths on the byte '/', whatever follows it")
    func components() {
        #expect(CloneTree.components("t/x") == ["t", "x"])
        #expect(CloneTree.components("a/\u{301}b/c") == ["a", "\u{301}b", "c"])
        #expect(CloneTree.parent("a") == "")
        #expect(CloneTree.parent("t/x.py") == "t")
        #expect(CloneTree.lastComponent("a/b\nc") == "b\nc")
    }

    @Test("the walk counts what it skips, by reason, and keeps names with newlines and dashes")
    func walk() throws {
        let t = TempTree()
        t.write([Array("core".utf8), Array("ok.py".utf8)], "x = 1\n")
        t.write([Array("core".utf8), Array("new\nline.py".utf8)], "x = 1\n")
        t.write([Array("core".utf8), Array("-dash.py".utf8)], "x = 1\n")
        t.write([Array("core".utf8), [0x62, 0xFF, 0x2E, 0x70, 0x79]], "x = 1\n")  // b\xff.py
        t.write([Array("core".utf8), Array("\u{e9}.py".utf8)], "x = 1\n")
        t.write([Array("core".utf8), Array("e\u{301}.py".utf8)], "x = 1\n")
        symlink("/etc/passwd", t.path + "/core/passwd.py")
        mkfifo(t.path + "/core/fifo.py", 0o600)
        var analyzer = Analyzer()
        analyzer.indexSymbols = false
        let a = try analyzer.analyze(root: t.path)
        #expect(Set(a.files.map(\.path)) == ["core/ok.py", "core/new\nline.py", "core/-dash.py", "core/\u{e9}.py"])
        #expect(a.skipped.invalidNames == 1)
        #expect(a.skipped.equivalentNames == 1)
        #expect(a.skipped.symlinks == 1)
        #expect(a.skipped.special == 1)
    }
}

@Suite("Page names")
struct PageNameTests {
    static let hostile = [
        "core", "Sources/ScribeCore", "with space", "new\nline", "-dash", ".dot", "a/b", "a+b", "a@b", "a@2Fb",
        "日本", "<b>", "root", "overview", "%2e%2e", "..x", "e\u{301}", "\u{e9}", String(repeating: "x", count: 300),
        String(repeating: "é", count: 150), String(repeating: "x", count: 300) + "y",
    ]

    @Test("every page name fits the page router's rule and a file name")
    func routerAccepts() {
        for m in Self.hostile {
            let name = Analysis.pageName(m)
            #expect(PagePath.normalise("modules/\(name).html") == "modules/\(name).html", "\(m) → \(name)")
            #expect(name.utf8.count <= Analysis.maxPageNameBytes)
        }
    }

    @Test("different modules never share a page")
    func injective() {
        var seen: [String: String] = [:]
        var rng = SystemRandomNumberGenerator()
        var modules = Self.hostile
        let alphabet: [UInt8] = Array("ab/._-+@ \n%".utf8) + [0xC3, 0xA9]
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 1...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            if let s = String(validating: bytes, as: UTF8.self), !s.hasPrefix("/") { modules.append(s) }
        }
        for m in modules {
            let name = Analysis.pageName(m)
            if let other = seen[name], Array(other.utf8) != Array(m.utf8), m != "." {
                Issue.record("\(other) and \(m) share \(name)")
            }
            seen[name] = m
        }
    }

    @Test("names keep their readable parts")
    func readable() {
        #expect(Analysis.pageName(".") == "root")
        #expect(Analysis.pageName("Sources/ScribeCore") == "Sources+ScribeCore")
        #expect(Analysis.pageName("my module") == "my@20module")
        #expect(Analysis.pageName("-dash") == "@2Ddash")
        #expect(Analysis.pageName("root") == "@72oot")
        #expect(Analysis.pageName(String(repeating: "x", count: 300)).contains("@-"))
    }
}
