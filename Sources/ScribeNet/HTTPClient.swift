import CCurl
import Foundation
import ScribeCore

/// An error from libcurl: the transfer failed before an HTTP status arrived (DNS, connect, timeout, TLS),
/// or every address of the host was refused by the address policy (`refusedAddress`).
public struct CurlError: Error, CustomStringConvertible, Sendable {
    public let code: Int
    public let message: String
    /// Set when the connection was refused because of where it would go; retrying will not help.
    public var refusedAddress = false
    public var isTimeout: Bool { code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }
    public var description: String { "network error: \(message)" }
}

/// A small blocking HTTP client on libcurl's easy interface; one handle per request, safe on any thread.
/// Header values (tokens) are never logged or put into URLs by this client.
///
/// Every connection is checked on the address curl is about to connect to (after DNS, so a name that
/// resolves, or later rebinds, to a refused address fails): loopback, private, link-local, unique-local and
/// the like are refused unless `allowPrivateNetworks`. No redirects are followed, only http and https are
/// spoken, and no proxy from the environment is used (the check must see the real peer).
public struct HTTPClient: Sendable {
    public struct Response: Sendable {
        public let status: Int
        public let headers: [String: String]  // lower-case names, last value wins
        public let body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public var timeoutSeconds: Int
    public var connectTimeoutSeconds: Int
    public var maxBodyBytes: Int
    public var userAgent: String
    /// Development and tests only: reach services on this machine or its private network.
    public var allowPrivateNetworks: Bool

    public init(
        timeoutSeconds: Int = 30, connectTimeoutSeconds: Int = 10, maxBodyBytes: Int = 16 << 20, userAgent: String = "Scribe/1.0",
        allowPrivateNetworks: Bool = false
    ) {
        self.timeoutSeconds = timeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.maxBodyBytes = maxBodyBytes
        self.userAgent = userAgent
        self.allowPrivateNetworks = allowPrivateNetworks
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private final class Sink {
        var body: [UInt8] = []
        var headers: [String: String] = [:]
        let limit: Int
        var overflow = false
        let allowPrivate: Bool
        /// The URL's host as written, for messages.
        let host: String
        /// Why the last refused connection was refused, for the error message.
        var refused: String? = nil
        init(limit: Int, allowPrivate: Bool, host: String) {
            self.limit = limit
            self.allowPrivate = allowPrivate
            self.host = host
        }
    }

    /// The host part of a URL as the person wrote it, for messages.
    static func hostOf(_ url: String) -> String {
        URLComponents(string: url)?.host ?? "the server"
    }

    /// CURLOPT_OPENSOCKETFUNCTION: sees each address curl is about to connect to, after DNS.
    private static let openSocket: @convention(c) (UnsafeMutableRawPointer?, curlsocktype, UnsafeMutablePointer<curl_sockaddr>?)
        -> curl_socket_t = { ud, purpose, address in
            guard let ud, let address, purpose == CURLSOCKTYPE_IPCXN else { return CURL_SOCKET_BAD }
            let sink = Unmanaged<Sink>.fromOpaque(ud).takeUnretainedValue()
            var raw = [UInt8](repeating: 0, count: 16)
            let n = Int(scribe_curl_sockaddr_ip(address, &raw))
            guard let ip = NetworkAddress(bytes: Array(raw.prefix(n))) else {
                sink.refused = "connections other than IPv4 and IPv6 are refused"
                return CURL_SOCKET_BAD
            }
            if !sink.allowPrivate, let why = ip.refusal {
                sink.refused = NetworkAddress.refusalMessage(host: sink.host, address: ip, why)
                return CURL_SOCKET_BAD
            }
            return scribe_curl_open_socket(address)
        }

    public func send(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) throws -> Response {
        _ = HTTPClient.globalInit
        guard let h = curl_easy_init() else { throw CurlError(code: -1, message: "cannot create a curl handle") }
        defer { curl_easy_cleanup(h) }
        let sink = Sink(limit: maxBodyBytes, allowPrivate: allowPrivateNetworks, host: HTTPClient.hostOf(url))
        let sinkPtr = Unmanaged.passUnretained(sink).toOpaque()
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (k, v) in headers { list = curl_slist_append(list, "\(k): \(v)") }
        list = curl_slist_append(list, "Expect:")
        defer { curl_slist_free_all(list) }

        scribe_curl_setopt_string(h, CURLOPT_URL, url)
        scribe_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)  // curl runs on worker threads
        scribe_curl_setopt_long(h, CURLOPT_TIMEOUT, timeoutSeconds)
        scribe_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT, connectTimeoutSeconds)
        scribe_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)  // no redirects (to private addresses or anywhere)
        // The guards of where a request may go: a libcurl that refuses one of them sends nothing.
        let guards = [
            scribe_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https"),
            scribe_curl_setopt_string(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
            scribe_curl_setopt_string(h, CURLOPT_PROXY, ""),  // not the environment's proxy: the check must see the peer
            scribe_curl_setopt_pointer(h, CURLOPT_OPENSOCKETDATA, sinkPtr),
            scribe_curl_setopt_opensocket(h, HTTPClient.openSocket),
        ]
        if let bad = guards.first(where: { $0 != CURLE_OK }) {
            throw CurlError(code: Int(bad.rawValue), message: "this libcurl cannot restrict where requests go: \(String(cString: curl_easy_strerror(bad)))")
        }
        scribe_curl_setopt_string(h, CURLOPT_USERAGENT, userAgent)
        scribe_curl_setopt_string(h, CURLOPT_ACCEPT_ENCODING, "")
        scribe_curl_setopt_slist(h, CURLOPT_HTTPHEADER, list)
        scribe_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, method)
        if method == "HEAD" { scribe_curl_setopt_long(h, CURLOPT_NOBODY, 1) }
        var bodyCopy = body ?? []
        if body != nil {
            scribe_curl_setopt_long(h, CURLOPT_POSTFIELDSIZE, bodyCopy.count)
        }
        scribe_curl_setopt_write(h, CURLOPT_WRITEFUNCTION) { ptr, size, n, ud in
            let sink = Unmanaged<Sink>.fromOpaque(ud!).takeUnretainedValue()
            let count = size * n
            if sink.body.count + count > sink.limit {
                sink.overflow = true
                return 0
            }
            ptr!.withMemoryRebound(to: UInt8.self, capacity: count) { sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: count)) }
            return count
        }
        scribe_curl_setopt_pointer(h, CURLOPT_WRITEDATA, sinkPtr)
        scribe_curl_setopt_write(h, CURLOPT_HEADERFUNCTION) { ptr, size, n, ud in
            let sink = Unmanaged<Sink>.fromOpaque(ud!).takeUnretainedValue()
            let count = size * n
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: count), as: UTF8.self)
            if line.hasPrefix("HTTP/") { sink.headers = [:] }  // a new response (after 100 Continue)
            if let colon = line.firstIndex(of: ":") {
                let k = line[..<colon].lowercased()
                let v = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                sink.headers[k] = v
            }
            return count
        }
        scribe_curl_setopt_pointer(h, CURLOPT_HEADERDATA, sinkPtr)
        let rc: CURLcode = bodyCopy.withUnsafeMutableBytes { raw in
            if body != nil { scribe_curl_setopt_pointer(h, CURLOPT_POSTFIELDS, raw.baseAddress) }
            return curl_easy_perform(h)
        }
        if sink.overflow { throw CurlError(code: Int(CURLE_WRITE_ERROR.rawValue), message: "response larger than \(maxBodyBytes) bytes") }
        guard rc == CURLE_OK else {
            if let refused = sink.refused, rc == CURLE_COULDNT_CONNECT {
                var e = CurlError(code: Int(rc.rawValue), message: refused)
                e.refusedAddress = true
                throw e
            }
            throw CurlError(code: Int(rc.rawValue), message: String(cString: curl_easy_strerror(rc)))
        }
        var status: Int = 0
        scribe_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, headers: sink.headers, body: sink.body)
    }
}
