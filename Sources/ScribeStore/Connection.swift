import CLibPQ
import Foundation
import ScribeCore

/// One libpq connection, used by one thread at a time (libpq connections are not thread-safe).
public final class Connection {
    private let conn: OpaquePointer
    public let url: String

    /// Connects; the error carries libpq's message (which never contains the password).
    public init(url: String, applicationName: String = "scribe") throws {
        self.url = url
        let keys = ["dbname", "application_name", "connect_timeout"]
        let values = [url, applicationName, "5"]
        // expand_dbname = 1: the URI in dbname wins, the other keys fill in what it lacks.
        let c: OpaquePointer? = Connection.withCStrings(keys) { k in
            Connection.withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let c else { throw PGError(sqlState: nil, message: "out of memory", statement: "connect", constraint: nil) }
        if PQstatus(c) != CONNECTION_OK {
            let msg = String(cString: PQerrorMessage(c)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(c)
            throw PGError(sqlState: "08001", message: msg, statement: "connect", constraint: nil)
        }
        self.conn = c
        // Server notices ("already exists, skipping") would go to stderr; they are not errors.
        PQsetNoticeProcessor(c, { _, _ in }, nil)
        _ = try? execute("SET TIME ZONE 'UTC'", name: "session-setup")
    }

    deinit { PQfinish(conn) }

    public var isHealthy: Bool { PQstatus(conn) == CONNECTION_OK }

    /// Statements prepared on this connection, by SQL text: PostgreSQL then plans each statement once per
    /// connection instead of once per request (planning cost more than running the hot queries).
    private var prepared: [String: String] = [:]

    /// Runs one statement with text parameters ($1, $2…). `name` identifies it in errors and logs.
    /// Internal: SQL text lives in this target only; everything else calls a store's methods.
    @discardableResult
    func query(_ sql: String, _ params: [String?] = [], name: String) throws -> Rows {
        do {
            return try runPrepared(sql, params, name: name)
        } catch let e as PGError where e.sqlState == "0A000" || e.sqlState == "26000" {
            // The schema changed under a cached plan, or the statement vanished: prepare it again, once.
            if let stmt = prepared.removeValue(forKey: sql) { _ = try? execute("DEALLOCATE \(stmt)", name: "deallocate") }
            return try runPrepared(sql, params, name: name)
        }
    }

    private func runPrepared(_ sql: String, _ params: [String?], name: String) throws -> Rows {
        let stmt: String
        if let s = prepared[sql] {
            stmt = s
        } else {
            stmt = "scribe_\(prepared.count + 1)"
            guard let r = PQprepare(conn, stmt, sql, Int32(params.count), nil) else {
                throw PGError(sqlState: "08006", message: lastError, statement: name, constraint: nil)
            }
            defer { PQclear(r) }
            guard PQresultStatus(r) == PGRES_COMMAND_OK else { throw error(from: r, statement: name) }
            prepared[sql] = stmt
        }
        let result: OpaquePointer? = Connection.withOptionalCStrings(params) { ptrs in
            PQexecPrepared(conn, stmt, Int32(params.count), ptrs, nil, nil, 0)
        }
        guard let result else {
            throw PGError(sqlState: "08006", message: lastError, statement: name, constraint: nil)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return Rows(result)
        default:
            throw error(from: result, statement: name)
        }
    }

    /// Runs SQL without parameters (several statements allowed): migrations and session setup.
    func execute(_ sql: String, name: String) throws {
        guard let result = PQexec(conn, sql) else {
            throw PGError(sqlState: "08006", message: lastError, statement: name, constraint: nil)
        }
        defer { PQclear(result) }
        let st = PQresultStatus(result)
        if st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY {
            throw error(from: result, statement: name)
        }
    }

    /// BEGIN … COMMIT around `body`; ROLLBACK when it throws.
    public func withTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN", name: "begin")
        do {
            let value = try body()
            try execute("COMMIT", name: "commit")
            return value
        } catch {
            try? execute("ROLLBACK", name: "rollback")
            throw error
        }
    }

    // MARK: LISTEN / NOTIFY

    public struct Notification: Sendable {
        public let channel: String
        public let payload: String
    }

    public var socket: Int32 { PQsocket(conn) }

    /// Reads what arrived on the socket and returns the pending notifications.
    public func drainNotifications() throws -> [Notification] {
        if PQconsumeInput(conn) == 0 {
            throw PGError(sqlState: "08006", message: lastError, statement: "listen", constraint: nil)
        }
        var out: [Notification] = []
        while let n = PQnotifies(conn) {
            out.append(Notification(channel: String(cString: n.pointee.relname), payload: String(cString: n.pointee.extra)))
            PQfreemem(n)
        }
        return out
    }

    /// Waits until the socket is readable (a notification arrived) or the timeout passes.
    public func waitForNotifications(timeoutSeconds: Double, extraFD: Int32 = -1) -> Bool {
        var fds = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
        if extraFD >= 0 { fds.append(pollfd(fd: extraFD, events: Int16(POLLIN), revents: 0)) }
        let rc = poll(&fds, nfds_t(fds.count), Int32(max(0, timeoutSeconds) * 1000))
        return rc > 0
    }

    // MARK: Helpers

    private var lastError: String {
        String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func error(from result: OpaquePointer, statement: String) -> PGError {
        func field(_ code: Int32) -> String? {
            guard let p = PQresultErrorField(result, code) else { return nil }
            return String(cString: p)
        }
        let state = field(Int32(UInt8(ascii: "C")))  // PG_DIAG_SQLSTATE
        let primary = field(Int32(UInt8(ascii: "M"))) ?? lastError  // PG_DIAG_MESSAGE_PRIMARY
        let constraint = field(Int32(UInt8(ascii: "n")))  // PG_DIAG_CONSTRAINT_NAME
        return PGError(sqlState: state ?? (isHealthy ? nil : "08006"), message: primary, statement: statement, constraint: constraint)
    }

    static func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let dup = strings.map { strdup($0) }
        defer { dup.forEach { free($0) } }
        let ptrs: [UnsafePointer<CChar>?] = dup.map { UnsafePointer($0) } + [nil]
        return ptrs.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    static func withOptionalCStrings<T>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> T) -> T {
        let dup: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
        defer { dup.forEach { free($0) } }
        let ptrs: [UnsafePointer<CChar>?] = dup.map { $0.map { UnsafePointer($0) } }
        if ptrs.isEmpty { return body(nil) }
        return ptrs.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

/// The rows of a result, copied out of libpq so the result can be freed at once.
public struct Rows: Sendable {
    public let columns: [String]
    public let values: [[String?]]
    public let affected: Int

    init(_ result: OpaquePointer) {
        let n = Int(PQntuples(result))
        let m = Int(PQnfields(result))
        columns = (0..<m).map { String(cString: PQfname(result, Int32($0))) }
        var vals: [[String?]] = []
        vals.reserveCapacity(n)
        for r in 0..<n {
            var row: [String?] = []
            row.reserveCapacity(m)
            for c in 0..<m {
                if PQgetisnull(result, Int32(r), Int32(c)) == 1 {
                    row.append(nil)
                } else {
                    row.append(String(cString: PQgetvalue(result, Int32(r), Int32(c))))
                }
            }
            vals.append(row)
        }
        values = vals
        affected = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }
    public var first: Row? { values.isEmpty ? nil : Row(columns: columns, values: values[0]) }
    public var rows: [Row] { values.map { Row(columns: columns, values: $0) } }
}

/// A row that does not decode into its type: a column missing, NULL where it may not be, or a value
/// (a status) that the code does not know. It names the column, never a bind value.
public struct RowDecodingError: Error, CustomStringConvertible {
    public let column: String
    public let value: String?
    public var description: String {
        value.map { "unknown value '\($0)' in column \(column)" } ?? "column \(column) is missing or NULL"
    }
}

/// One row with typed accessors by column name.
public struct Row: Sendable {
    let columns: [String]
    let values: [String?]

    public func string(_ name: String) -> String? {
        guard let i = columns.firstIndex(of: name) else { return nil }
        return values[i]
    }
    /// A column the row must have: a missing column or a NULL is an error, never an empty default.
    public func required(_ name: String) throws -> String {
        guard let v = string(name) else { throw RowDecodingError(column: name, value: nil) }
        return v
    }

    /// A column holding one of an enum's values (a job's status): an unknown value is an error, never a default.
    public func value<T: RawRepresentable>(_ name: String, as type: T.Type = T.self) throws -> T
    where T.RawValue == String {
        let raw = try required(name)
        guard let v = T(rawValue: raw) else { throw RowDecodingError(column: name, value: raw) }
        return v
    }

    /// A nullable column of an enum's values: NULL is nil, an unknown value is an error.
    public func optionalValue<T: RawRepresentable>(_ name: String, as type: T.Type = T.self) throws -> T?
    where T.RawValue == String {
        guard let raw = string(name) else { return nil }
        guard let v = T(rawValue: raw) else { throw RowDecodingError(column: name, value: raw) }
        return v
    }

    /// An integer column the row must have: a missing column, a NULL or a value that is not a number is an error.
    public func requiredInt(_ name: String) throws -> Int {
        let raw = try required(name)
        guard let v = Int(raw) else { throw RowDecodingError(column: name, value: raw) }
        return v
    }

    public func int(_ name: String) -> Int? { string(name).flatMap { Int($0) } }
    public func int64(_ name: String) -> Int64? { string(name).flatMap { Int64($0) } }
    public func double(_ name: String) -> Double? { string(name).flatMap { Double($0) } }
    public func bool(_ name: String) -> Bool { string(name) == "t" }
    public func json(_ name: String) -> JSONValue? { string(name).flatMap { try? JSONValue.parse($0) } }
    /// bytea in hex output format (`\x…`).
    public func bytes(_ name: String) -> [UInt8]? {
        guard let s = string(name), s.hasPrefix("\\x") else { return nil }
        return PGArray.hexDecode(String(s.dropFirst(2)))
    }
}

public enum PGArray {
    /// A PostgreSQL array literal of text, quoted so any string round-trips.
    public static func text(_ items: [String]) -> String {
        "{" + items.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }

    public static func int(_ items: [Int]) -> String { "{" + items.map(String.init).joined(separator: ",") + "}" }

    public static func byteaHex(_ bytes: [UInt8]) -> String {
        "\\x" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func hexDecode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count / 2)
        var it = s.utf8.makeIterator()
        while let a = it.next() {
            guard let b = it.next(), let hi = hexValue(a), let lo = hexValue(b) else { return nil }
            out.append(hi << 4 | lo)
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
