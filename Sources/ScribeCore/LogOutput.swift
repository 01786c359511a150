import Foundation
import Logging

/// Where the executables' log lines go: standard error, or `SCRIBE_LOG_FILE` (reopened on SIGHUP, so that
/// logrotate can move it away), as text or as one JSON object per line (`SCRIBE_LOG_FORMAT=json`).
public final class LogSink: @unchecked Sendable {
    // @unchecked: `fd` is the only mutable field, read and replaced under `lock`; `path` and `format` are constants.
    public enum Format: String, Sendable { case text, json }

    // The lock guards fd: a reopen must never close the descriptor under a thread that writes.
    private let lock = NSLock()
    private var fd: Int32
    public let path: String?
    public let format: Format

    public init(path: String?, format: Format) throws {
        self.path = path
        self.format = format
        if let path {
            fd = try Self.open(path)
        } else {
            fd = 2
        }
    }

    private static func open(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw ConfigError(variable: "SCRIBE_LOG_FILE", problem: "cannot open \(path): \(Posix.Errno.last)")
        }
        return fd
    }

    /// Opens the file again under its name (after logrotate moved it); the old file stays as it was.
    /// Returns false, and keeps writing to the old file, if the new one cannot be opened.
    @discardableResult
    public func reopen() -> Bool {
        guard let path else { return true }
        guard let newFD = try? Self.open(path) else { return false }
        lock.lock()
        let old = fd
        fd = newFD
        lock.unlock()
        close(old)
        return true
    }

    func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(10)
        lock.lock()
        defer { lock.unlock() }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            offset += n
        }
    }

    /// The sink the environment asks for: SCRIBE_LOG_FILE (unless useFile is false) and SCRIBE_LOG_FORMAT.
    public static func fromEnvironment(
        _ env: [String: String] = ProcessInfo.processInfo.environment, useFile: Bool = true
    ) throws -> LogSink {
        let raw = (env["SCRIBE_LOG_FORMAT"] ?? "").lowercased()
        guard let format = raw.isEmpty ? .text : Format(rawValue: raw) else {
            throw ConfigError(variable: "SCRIBE_LOG_FORMAT", problem: "expected text or json, got '\(raw)'")
        }
        let file = useFile ? env["SCRIBE_LOG_FILE"].flatMap { $0.isEmpty ? nil : $0 } : nil
        return try LogSink(path: file, format: format)
    }

    /// swift-log's handler writing to this sink. Only executables install it, once, with
    /// `LoggingSystem.bootstrap(sink.handler)`; libraries take a `Logger` and never bootstrap.
    public func handler(label: String) -> any LogHandler { SinkLogHandler(label: label, sink: self) }

    /// The executable's logger at the level named (`info` when the name is unknown).
    public static func logger(label: String, level: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        return logger
    }
}

/// swift-log's handler over a `LogSink`: `2026-11-30T19:00:00.123Z warning scribe-fcgi: message key=value`, or
/// `{"time": …, "level": …, "label": …, "message": …, "key": "value"}`.
struct SinkLogHandler: LogHandler {
    let label: String
    let sink: LogSink
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        var all = metadata
        if let extra { all.merge(extra) { _, new in new } }
        let time = Self.timestamp()
        switch sink.format {
        case .text:
            let pairs = all.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.flat($0.value))" }.joined(separator: " ")
            sink.write("\(time) \(level) \(label): \(message)\(pairs.isEmpty ? "" : " " + pairs)")
        case .json:
            var fields: [(String, JSONValue)] = [
                ("time", .string(time)), ("level", .string(level.rawValue)), ("label", .string(label)),
                ("message", .string(message.description)),
            ]
            for (k, v) in all.sorted(by: { $0.key < $1.key }) { fields.append((k, .string(Self.flat(v)))) }
            sink.write(JSONValue.object(fields).serialized())
        }
    }

    static func flat(_ v: Logger.MetadataValue) -> String {
        switch v {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let a): return "[" + a.map(flat).joined(separator: ", ") + "]"
        case .dictionary(let d): return "{" + d.sorted { $0.key < $1.key }.map { "\($0.key): \(flat($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = time_t(tv.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(tv.tv_usec / 1000))
    }
}
