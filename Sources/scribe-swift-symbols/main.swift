// scribe-swift-symbols: Swift declarations and imports as universal-ctags JSON lines.
//
//   scribe-swift-symbols [--root DIR] [--jobs N] [--timeout SECONDS] [--files-from PATH|- [--null]] [FILE...]
//
// Each file is parsed with SwiftParser (nothing is compiled, expanded or run). Files are parsed
// in parallel; the output keeps the order of the file list. Files over 1 MiB are skipped without
// a word; unreadable ones, and ones whose parse outruns --timeout, get a warning on stderr and no
// output. Exit status: 0, or 64 for a usage error, 66 when the --files-from list can't be read.

import Dispatch
import Foundation
import ScribeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

let usage = """
    usage: scribe-swift-symbols [--root DIR] [--jobs N] [--timeout SECONDS] [--files-from PATH|- [--null]] [FILE...]
      --root DIR          resolve relative file paths against DIR (paths are printed as given);
                          files whose real path is outside DIR (symbolic links) are skipped
      --files-from PATH   read newline-separated file paths from PATH, or from stdin when PATH is -
      --null, -0          the --files-from list is NUL-separated (safe for every name a file may have)
      --jobs N            parse N files at a time (default: the number of cores)
      --timeout SECONDS   give up on a file whose parse takes longer (default: 10)

    """

let maxFileSize = 1 << 20

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("scribe-swift-symbols: \(message)\n".utf8))
    exit(status)
}

func complain(_ message: String) {
    FileHandle.standardError.write(Data("scribe-swift-symbols: \(message)\n".utf8))
}

// MARK: Arguments

var root: String?
var listSource: String?
var nulSeparated = false
var jobs = ProcessInfo.processInfo.activeProcessorCount
var files: [String] = []
var timeLimit = 10.0

if ScribeVersion.isRequested(by: CommandLine.arguments) {
    print("scribe-swift-symbols \(ScribeVersion.string)")
    exit(0)
}

do {
    var args = CommandLine.arguments.dropFirst()
    func value(_ option: String) -> String {
        guard let v = args.popFirst() else { fail("\(option) needs a value\n\(usage)", status: 64) }
        return v
    }
    while let arg = args.popFirst() {
        switch arg {
        case "--root": root = value(arg)
        case "--files-from": listSource = value(arg)
        case "--null", "-0": nulSeparated = true
        case "--jobs", "-j":
            guard let n = Int(value(arg)), n > 0 else { fail("--jobs needs a positive number", status: 64) }
            jobs = n
        case "--timeout":
            guard let t = Double(value(arg)), t > 0 else { fail("--timeout needs a positive number", status: 64) }
            timeLimit = t
        case "-h", "--help":
            print(usage, terminator: "")
            exit(0)
        case "--":
            files.append(contentsOf: args)
            args.removeAll()
        default:
            if arg.hasPrefix("-") && arg != "-" { fail("unknown option \(arg)\n\(usage)", status: 64) }
            files.append(arg)
        }
    }
}

if let listSource {
    let data: Data?
    if listSource == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        data = FileManager.default.contents(atPath: listSource)
    }
    guard let data else { fail("cannot read file list \(listSource)", status: 66) }
    if nulSeparated {
        // Names as bytes: a newline, a carriage return or a leading dash is part of the name.
        for name in data.split(separator: 0) where !name.isEmpty { files.append(String(decoding: name, as: UTF8.self)) }
    } else {
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let path = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if !path.isEmpty { files.append(path) }
        }
    }
} else if files.isEmpty {
    fail("no files given\n\(usage)", status: 64)
}

// MARK: Reading

enum Source {
    case bytes([UInt8])
    case skipped  // too big, or not a regular file: silently left out
    case failed(String)
}

/// Reads a regular file of at most maxFileSize bytes. With `confinedTo` (a real path), a file
/// whose real path lies outside it (reached through a symbolic link) is refused: a repository
/// must not get its symlink to /etc or elsewhere read.
func load(_ path: String, confinedTo rootReal: String?) -> Source {
    if let rootReal {
        guard let real = realpath(path, nil) else { return .failed("\(Posix.Errno.last)") }
        let realPath = String(cString: real)
        free(real)
        guard realPath.hasPrefix(rootReal == "/" ? "/" : rootReal + "/") else {
            return .failed("leads outside the root; skipped")
        }
    }
    // O_NONBLOCK: opening a FIFO must not hang (it's then refused as not a regular file). O_NOFOLLOW:
    // the file itself is never a link, even one that stays inside the root.
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW)
    guard fd >= 0 else { return .failed("\(Posix.Errno.last)") }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return .failed("\(Posix.Errno.last)") }
    guard (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= maxFileSize else { return .skipped }
    switch Posix.readAll(fd, size: Int(info.st_size)) {
    case .success(let bytes): return .bytes(bytes)
    case .failure(let error): return .failed("\(error)")
    }
}

func resolved(_ path: String, root: String?) -> String {
    guard let root, !path.hasPrefix("/") else { return path }
    return root.hasSuffix("/") ? root + path : root + "/" + path
}

// MARK: Writing

func writeOut(_ bytes: [UInt8]) {
    // A failed write means stdout was closed: nobody is listening.
    if bytes.withUnsafeBytes({ Posix.writeAll(STDOUT_FILENO, $0) }) != nil { exit(1) }
}

/// Hands out file indexes to the workers, writes finished files in list order, and gives up on
/// files whose parse runs past the time limit.
final class Pipeline: @unchecked Sendable {
    // @unchecked: every var (next, nextToWrite, done, started, abandoned) is read and written under `lock`; the
    // rest is set in init and never changes.
    private let lock = NSLock()
    private var next = 0
    private var nextToWrite = 0
    private var done: [Int: [UInt8]] = [:]
    private var started: [Int: (time: DispatchTime, thread: pthread_t)] = [:]  // files being parsed now
    private var abandoned: Set<Int> = []
    private let allWritten = DispatchSemaphore(value: 0)
    let files: [String]
    let root: String?
    let rootReal: String?

    init(files: [String], root: String?) {
        self.files = files
        self.root = root
        if let root {
            guard let real = realpath(root, nil) else { fail("--root \(root): \("\(Posix.Errno.last)")", status: 64) }
            rootReal = String(cString: real)
            free(real)
        } else {
            rootReal = nil
        }
    }

    private func take(thread: pthread_t) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < files.count else { return nil }
        next += 1
        started[next - 1] = (.now(), thread)
        return next - 1
    }

    private func finish(_ index: Int, _ output: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        started[index] = nil
        if abandoned.contains(index) { return }  // already written off
        store(index, output)
    }

    /// Must hold the lock.
    private func store(_ index: Int, _ output: [UInt8]) {
        done[index] = output
        var batch: [UInt8] = []
        while let text = done.removeValue(forKey: nextToWrite) {
            batch.append(contentsOf: text)
            nextToWrite += 1
        }
        if !batch.isEmpty { writeOut(batch) }
        if nextToWrite == files.count { allWritten.signal() }
    }

    /// Parses files until none are left.
    func work() {
        let thread = pthread_self()
        while let index = take(thread: thread) {
            let path = files[index]
            var output: [UInt8] = []
            switch load(resolved(path, root: root), confinedTo: rootReal) {
            case .bytes(let bytes):
                output = bytes.withUnsafeBufferPointer { Extractor.run(path: path, source: $0) }
            case .skipped:
                break
            case .failed(let reason):
                complain("\(path): \(reason)")
            }
            finish(index, output)
        }
    }

    /// Files parsing for longer than `limit` seconds: each is written off (no output, a warning)
    /// and its thread left to spin until the process exits. Returns how many were written off.
    func abandonSlow(limit: Double) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        let slow = started.filter { Double(now - $0.value.time.uptimeNanoseconds) / 1e9 > limit }.keys.sorted()
        for index in slow {
            #if os(Linux)
                // Let the stuck thread spin only when nothing else wants the CPU: SCHED_IDLE (5,
                // not exported to Swift by Glibc's headers).
                var param = sched_param(sched_priority: 0)
                _ = pthread_setschedparam(started[index]!.thread, 5, &param)
            #endif
            started[index] = nil
            abandoned.insert(index)
            complain("\(files[index]): gave up after \(Int(limit)) s of parsing")
            store(index, [])
        }
        return slow.count
    }

    /// Waits until every file is written or `seconds` pass; true when all are written.
    func waitForAll(seconds: Double) -> Bool {
        if files.isEmpty { return true }
        return allWritten.wait(timeout: .now() + seconds) == .success
    }
}

/// A worker with a large stack: the parser recurses once per nesting level (up to
/// Extractor.maximumNestingLevel), and debug builds use a lot of stack per level.
func startWorker(_ pipeline: Pipeline) {
    let thread = Thread { pipeline.work() }
    thread.stackSize = 64 << 20
    thread.start()
}

// MARK: Main

let pipeline = Pipeline(files: files, root: root)
for _ in 0..<max(1, min(jobs, files.count)) { startWorker(pipeline) }
// Watchdog: a pathological file (swift-syntax can take exponential time on some deeply nested
// brackets) must not hold up the rest. A worker stuck on one is replaced, and the process exits
// once every other file is written, taking the stuck thread with it.
while !pipeline.waitForAll(seconds: 0.5) {
    for _ in 0..<pipeline.abandonSlow(limit: timeLimit) { startWorker(pipeline) }
}
exit(0)
