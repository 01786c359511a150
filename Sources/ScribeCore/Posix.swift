import Foundation

/// The C library's error conventions in one place: an errno in words, and the calls that a signal may
/// interrupt (EINTR), retried until they are done. Call sites keep only what their errors mean to them.
public enum Posix {
    /// An errno value as the C library words it ("No such file or directory").
    public struct Errno: Error, CustomStringConvertible, Equatable {
        public let code: Int32
        public init(_ code: Int32) { self.code = code }
        /// The calling thread's errno, read right after the failed call.
        public static var last: Errno { Errno(errno) }
        public var description: String { String(cString: strerror(code)) }
    }

    /// Reads an open regular file of `size` bytes (`fstat`'s size): fewer when it shrank meanwhile, never more.
    public static func readAll(_ fd: Int32, size: Int) -> Result<[UInt8], Errno> {
        var bytes = [UInt8](repeating: 0, count: size)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.last)
            }
            if n == 0 { break }  // shrank while reading
            count += n
        }
        if count < bytes.count { bytes.removeSubrange(count...) }
        return .success(bytes)
    }

    /// Writes every byte to `fd`; the errno of a write that fails (or writes nothing).
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Errno? {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n < 0 ? .last : Errno(EIO) }
            offset += n
        }
        return nil
    }

    /// Waits for the child `pid` to end and gives its raw wait status, or nil when it is not this process's
    /// child (ECHILD).
    public static func waitChild(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return nil }
        }
        return status
    }

    /// Whether no process `pid` exists any more (a zombie still exists). Permission errors mean it exists.
    public static func isGone(_ pid: pid_t) -> Bool {
        kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Removes a file; true when it is gone afterwards, also when it was already absent.
    @discardableResult
    public static func removeFile(_ path: String) -> Bool {
        unlink(path) == 0 || errno == ENOENT
    }
}
