import Foundation
import ScribeCore

/// A clone's files, reached only through real folders of the clone: every component of a path is opened
/// relative to its parent's descriptor with `O_NOFOLLOW`, so no symbolic link anywhere in a path is ever
/// followed, and only regular files are read. Names are raw bytes (readdir), never Foundation's view of
/// them, which drops or mangles names that are not UTF-8.
public struct CloneTree: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// One entry of a folder, as the file system holds it.
    public struct Entry {
        public let name: [UInt8]
        public let kind: mode_t  // S_IFREG, S_IFDIR, S_IFLNK…
        public let size: Int
    }

    /// The components of a relative path, split on the byte `/` (a `String` split on the Character `/` would
    /// keep a `/` followed by a combining mark whole).
    public static func components(_ path: String) -> [String] {
        path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// The folder part of a relative path (`a/b/c` → `a/b`, `a` → ``).
    public static func parent(_ path: String) -> String {
        let u = Array(path.utf8)
        guard let slash = u.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(decoding: u[..<slash], as: UTF8.self)
    }

    /// The last component of a relative path.
    public static func lastComponent(_ path: String) -> String {
        let u = Array(path.utf8)
        guard let slash = u.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(decoding: u[(slash + 1)...], as: UTF8.self)
    }

    /// Opens the folder at `components` (empty: the clone itself) without following links; -1 when any
    /// component is missing, a link or not a folder.
    public func openDirectory(_ components: [String]) -> Int32 {
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        for c in components {
            guard fd >= 0 else { return -1 }
            guard CloneTree.isPlainComponent(c) else {
                close(fd)
                return -1
            }
            let next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(fd)
            fd = next
        }
        return fd
    }

    /// The entries of an open folder (`.` and `..` left out), unsorted. The descriptor stays open.
    public static func entries(of dirFD: Int32) -> [Entry] {
        let copy = dup(dirFD)
        guard copy >= 0, let dir = fdopendir(copy) else { return [] }
        defer { closedir(dir) }
        var out: [Entry] = []
        while let ent = readdir(dir) {
            let name: [UInt8] = withUnsafeBytes(of: &ent.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            if name == [0x2E] || name == [0x2E, 0x2E] || name.isEmpty { continue }
            var st = stat()
            let cName = (name + [0]).map { CChar(bitPattern: $0) }
            guard fstatat(dirFD, cName, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            out.append(Entry(name: name, kind: st.st_mode & S_IFMT, size: Int(st.st_size)))
        }
        return out
    }

    public enum ReadResult {
        case bytes([UInt8])
        case notRegular  // a link, a folder, a device… anywhere along the path
        case tooLarge
        case unreadable
    }

    /// Reads the regular file `name` of an open folder, refusing links and anything over `maxBytes`.
    public static func read(in dirFD: Int32, _ name: String, maxBytes: Int) -> ReadResult {
        guard isPlainComponent(name) else { return .notRegular }
        // O_NONBLOCK: a FIFO must not hang the open (it is then refused as not regular).
        let fd = openat(dirFD, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return errno == ELOOP ? .notRegular : .unreadable }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .unreadable }
        guard st.st_mode & S_IFMT == S_IFREG else { return .notRegular }
        guard Int(st.st_size) <= maxBytes else { return .tooLarge }
        switch Posix.readAll(fd, size: Int(st.st_size)) {
        case .success(let bytes): return .bytes(bytes)
        case .failure: return .unreadable
        }
    }

    /// Reads the regular file at the relative path `path`, with no link anywhere along it.
    public func read(_ path: String, maxBytes: Int) -> ReadResult {
        let parts = CloneTree.components(path)
        guard let name = parts.last else { return .notRegular }
        let dir = openDirectory(Array(parts.dropLast()))
        guard dir >= 0 else { return .notRegular }
        defer { close(dir) }
        return CloneTree.read(in: dir, name, maxBytes: maxBytes)
    }

    /// A component that names an entry of its folder, not the folder itself or its parent.
    static func isPlainComponent(_ c: String) -> Bool { !c.isEmpty && c != "." && c != ".." && !c.utf8.contains(0) }
}
