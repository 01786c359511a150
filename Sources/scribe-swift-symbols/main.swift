// scribe-swift-symbols: Swift declarations and imports as universal-ctags JSON lines.
//
//   scribe-swift-symbols [--root DIR] [--jobs N] [--files-from PATH|-] [FILE...]
//
// Each file is parsed with SwiftParser (nothing is compiled, expanded or run). Files are parsed
// in parallel; the output keeps the order of the file list. Files over 1 MiB are skipped without
// a word; unreadable ones get a warning on stderr. Exit status: 0, or 64 for a usage error, 66 when
// the --files-from list can't be read.

import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

let usage = """
    usage: scribe-swift-symbols [--root DIR] [--jobs N] [--files-from PATH|-] [FILE...]
      --root DIR          resolve relative file paths against DIR (paths are printed as given)
      --files-from PATH   read newline-separated file paths from PATH, or from stdin when PATH is -
      --jobs N            parse N files at a time (default: the number of cores)

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
var jobs = ProcessInfo.processInfo.activeProcessorCount
var files: [String] = []

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
        case "--jobs", "-j":
            guard let n = Int(value(arg)), n > 0 else { fail("--jobs needs a positive number", status: 64) }
            jobs = n
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
    for line in String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
        let path = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        if !path.isEmpty { files.append(path) }
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

func load(_ path: String) -> Source {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return .failed(String(cString: strerror(errno))) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return .failed(String(cString: strerror(errno))) }
    guard (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= maxFileSize else { return .skipped }
    var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
    var count = 0
    while count < bytes.count {
        let n = bytes.withUnsafeMutableBytes { buffer in
            read(fd, buffer.baseAddress! + count, buffer.count - count)
        }
        if n < 0 {
            if errno == EINTR { continue }
            return .failed(String(cString: strerror(errno)))
        }
        if n == 0 { break }  // shrank while reading
        count += n
    }
    if count < bytes.count { bytes.removeSubrange(count...) }
    return .bytes(bytes)
}

func resolved(_ path: String, root: String?) -> String {
    guard let root, !path.hasPrefix("/") else { return path }
    return root.hasSuffix("/") ? root + path : root + "/" + path
}

// MARK: Writing

func writeOut(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                exit(1)  // stdout closed: nobody is listening
            }
            offset += n
        }
    }
}

/// Hands out file indexes to the workers and writes finished files in list order.
final class Pipeline: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var nextToWrite = 0
    private var done: [Int: [UInt8]] = [:]
    let count: Int

    init(count: Int) { self.count = count }

    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }

    func finish(_ index: Int, _ output: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        done[index] = output
        var batch: [UInt8] = []
        while let text = done.removeValue(forKey: nextToWrite) {
            batch.append(contentsOf: text)
            nextToWrite += 1
        }
        if !batch.isEmpty { writeOut(batch) }
    }
}

// MARK: Main

let pipeline = Pipeline(count: files.count)
let fileList = files
let rootDir = root
DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, files.count))) { _ in
    while let index = pipeline.take() {
        let path = fileList[index]
        var output: [UInt8] = []
        switch load(resolved(path, root: rootDir)) {
        case .bytes(let bytes):
            output = bytes.withUnsafeBufferPointer { Extractor.run(path: path, source: $0) }
        case .skipped:
            break
        case .failed(let reason):
            complain("\(path): \(reason)")
        }
        pipeline.finish(index, output)
    }
}
