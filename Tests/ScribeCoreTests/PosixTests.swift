import Foundation
import ScribeCore
import Testing

/// The C library's conventions in one place: errno in words, whole reads and writes, children and files.
@Suite struct PosixTests {
    @Test func anErrnoReadsAsTheCLibraryWordsIt() {
        #expect("\(Posix.Errno(ENOENT))" == "No such file or directory")
        errno = EACCES
        #expect(Posix.Errno.last == Posix.Errno(EACCES))
    }

    @Test func writesAndReadsAWholeFile() throws {
        let path = NSTemporaryDirectory() + "scribe-posix-\(UUID().uuidString)"
        defer { unlink(path) }
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(out >= 0)
        #expect(bytes.withUnsafeBytes { Posix.writeAll(out, $0) } == nil)
        close(out)
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        #expect(try Posix.readAll(fd, size: bytes.count).get() == bytes)
    }

    @Test func aFileThatShrankGivesWhatIsLeftAndAClosedDescriptorItsErrno() throws {
        let path = NSTemporaryDirectory() + "scribe-posix-\(UUID().uuidString)"
        defer { unlink(path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data("short".utf8)))
        let fd = open(path, O_RDONLY)
        #expect(try Posix.readAll(fd, size: 4096).get() == Array("short".utf8))
        close(fd)
        #expect(throws: Posix.Errno(EBADF)) { try Posix.readAll(fd, size: 10).get() }
        #expect(Array("x".utf8).withUnsafeBytes { Posix.writeAll(fd, $0) } == Posix.Errno(EBADF))
    }

    @Test func processesAndFiles() {
        #expect(!Posix.isGone(getpid()))
        #expect(Posix.isGone(pid_t(Int32.max - 7)))
        #expect(Posix.waitChild(getpid()) == nil)  // not a child of itself: ECHILD, not a hang
        let path = NSTemporaryDirectory() + "scribe-posix-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(Posix.removeFile(path))
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(Posix.removeFile(path))  // already gone is gone
        #expect(!Posix.removeFile("/proc/self"))
    }
}
