import CFastCGI
import Foundation
import Logging
import ScribeCore

/// The FastCGI front: N accept threads over one listening socket, and a graceful stop on SIGTERM
/// (libfcgi's own handler only sets a flag and keeps the socket open).
public final class FastCGIServer {
    public typealias Handler = @Sendable (HTTPRequest, Int) -> HTTPResponse

    private let socketPath: String
    private let socketMode: mode_t
    private let threads: Int
    private let maxBody: Int
    private let backlog: Int
    private let logger: Logger
    private var listenFD: Int32 = -1
    private var ownsSocketFile = false
    private let inflight = Counter()
    /// Called on the main thread for each SIGHUP (the server keeps serving).
    public var onHangup: (() -> Void)?

    /// `backlog`: the listen backlog asked for; the kernel caps it at `net.core.somaxconn`, and so does this.
    public init(
        socketPath: String, socketMode: mode_t = 0o666, threads: Int, maxBody: Int, backlog: Int = 4096, logger: Logger
    ) {
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.threads = threads
        self.maxBody = maxBody
        self.backlog = min(backlog, FastCGIServer.somaxconn() ?? backlog)
        self.logger = logger
    }

    /// Serves until SIGTERM or SIGINT; returns after in-flight requests finished (at most 10 s).
    public func run(handler: @escaping Handler) throws {
        guard FCGX_Init() == 0 else { throw ServerError("FCGX_Init failed") }
        if Self.stdinIsSocket() {
            listenFD = 0
            logger.info("serving on the socket passed as fd 0")
        } else {
            try openSocket()
        }
        let fd = listenFD
        let maxBody = self.maxBody
        let inflight = self.inflight
        let logger = self.logger
        for index in 0..<threads {
            let t = Thread {
                var req = FCGX_Request()
                FCGX_InitRequest(&req, fd, 0)
                while true {
                    if FCGX_Accept_r(&req) < 0 { break }
                    inflight.add(1)
                    let request = FastCGIServer.read(&req, maxBody: maxBody)
                    var response: HTTPResponse
                    switch request {
                    case .success(let r): response = handler(r, index)
                    case .failure(let e): response = .error(e)
                    }
                    if request.isHead { response.body = [] }
                    FastCGIServer.write(response.withSecurityHeaders(), to: &req)
                    FCGX_Finish_r(&req)
                    inflight.add(-1)
                }
                logger.debug("accept thread stopped", metadata: ["thread": "\(index)"])
            }
            t.name = "fcgi-\(index)"
            t.stackSize = 1 << 20
            t.start()
        }
        logger.info(
            "scribe-fcgi ready",
            metadata: [
                "threads": "\(threads)", "socket": "\(ownsSocketFile ? socketPath : "fd 0")",
                "backlog": "\(ownsSocketFile ? String(backlog) : "as opened by the process manager")",
            ])

        let sig = StopSignals.waitForStop(onHangup: onHangup)
        logger.info("stopping", metadata: ["signal": "\(sig)"])
        FCGX_ShutdownPending()
        // shutdown() wakes the threads blocked in accept(); close() alone would not on Linux.
        Glibc.shutdown(listenFD, Int32(SHUT_RDWR))
        if ownsSocketFile { unlink(socketPath) }
        let deadline = Date().addingTimeInterval(10)
        while inflight.value > 0 && Date() < deadline { usleep(20_000) }
        close(listenFD)
    }

    private func openSocket() throws {
        let dir = (socketPath as NSString).deletingLastPathComponent
        if !socketPath.contains(":") || socketPath.hasPrefix("/") {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            unlink(socketPath)  // a stale socket from a crash would make bind fail
        }
        // Connections beyond the backlog fail at once (EAGAIN on a unix socket) and nginx answers 502: a burst
        // of requests must fit in it while the accept threads catch up.
        let fd = FCGX_OpenSocket(socketPath, Int32(clamping: backlog))
        guard fd >= 0 else { throw ServerError("cannot listen on \(socketPath)") }
        if socketPath.hasPrefix("/") {
            ownsSocketFile = true
            // The umask's mode would make nginx's workers (another user) get 502 Permission denied.
            chmod(socketPath, socketMode)
        }
        listenFD = fd
    }

    /// The kernel's cap on listen backlogs, when it can be read.
    static func somaxconn() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/core/somaxconn", encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { $0 > 0 ? $0 : nil }
    }

    static func stdinIsSocket() -> Bool {
        var st = stat()
        guard fstat(0, &st) == 0 else { return false }
        return (st.st_mode & S_IFMT) == S_IFSOCK
    }

    // MARK: Reading and writing

    enum ReadResult {
        case success(HTTPRequest)
        case failure(APIError)
        var isHead: Bool { if case .success(let r) = self { return r.method == "HEAD" }; return false }
    }

    static func param(_ name: String, _ req: inout FCGX_Request) -> String? {
        guard let p = FCGX_GetParam(name, req.envp) else { return nil }
        return String(cString: p)
    }

    static func read(_ req: inout FCGX_Request, maxBody: Int) -> ReadResult {
        let method = param("REQUEST_METHOD", &req) ?? "GET"
        let uri = param("REQUEST_URI", &req) ?? param("DOCUMENT_URI", &req) ?? "/"
        let rawPath = String(uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "/")
        let query: [String: String]
        do {
            query = try QueryString.parse(param("QUERY_STRING", &req) ?? "")
        } catch {
            return .failure(error.apiError)
        }
        var headers: [String: String] = [:]
        for (k, h) in [
            ("authorization", "HTTP_AUTHORIZATION"), ("if-none-match", "HTTP_IF_NONE_MATCH"),
            ("content-type", "CONTENT_TYPE"), ("accept", "HTTP_ACCEPT"),
            // GitHub's push webhook (`POST /api/hooks/github`).
            ("x-hub-signature-256", "HTTP_X_HUB_SIGNATURE_256"), ("x-github-event", "HTTP_X_GITHUB_EVENT"),
        ] {
            if let v = param(h, &req) { headers[k] = v }
        }
        var body: [UInt8] = []
        let length = Int(param("CONTENT_LENGTH", &req) ?? "") ?? 0
        if length > maxBody { return .failure(.tooLarge) }
        if length > 0 {
            body = [UInt8](repeating: 0, count: length)
            var got = 0
            while got < length {
                let n = body.withUnsafeMutableBufferPointer { p in
                    p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: length) { c in
                        FCGX_GetStr(c + got, Int32(length - got), req.in)
                    }
                }
                if n <= 0 { break }
                got += Int(n)
            }
            body.removeLast(length - got)
        }
        return .success(HTTPRequest(method: method, path: rawPath, query: query, headers: headers, body: body))
    }

    static func write(_ r: HTTPResponse, to req: inout FCGX_Request) {
        var head = r.head()
        head.withUTF8 { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { _ = FCGX_PutStr($0, Int32(p.count), req.out) }
        }
        if !r.body.isEmpty {
            r.body.withUnsafeBufferPointer { p in
                p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { _ = FCGX_PutStr($0, Int32(p.count), req.out) }
            }
        }
    }
}

public struct ServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// A counter shared between threads.
final class Counter: @unchecked Sendable {
    // @unchecked: `n` is read and written under `lock` only.
    private let lock = NSLock()
    private var n = 0
    func add(_ d: Int) { lock.lock(); n += d; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
