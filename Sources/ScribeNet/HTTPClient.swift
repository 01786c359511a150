import CCurl
import Foundation

/// An error from libcurl: the transfer failed before an HTTP status arrived (DNS, connect, timeout, TLS).
public struct CurlError: Error, CustomStringConvertible, Sendable {
    public let code: Int
    public let message: String
    public var isTimeout: Bool { code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }
    public var description: String { "network error: \(message)" }
}

/// A small blocking HTTP client on libcurl's easy interface; one handle per request, safe on any thread.
/// Header values (tokens) are never logged or put into URLs by this client.
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

    public init(timeoutSeconds: Int = 30, connectTimeoutSeconds: Int = 10, maxBodyBytes: Int = 16 << 20, userAgent: String = "Scribe/1.0") {
        self.timeoutSeconds = timeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.maxBodyBytes = maxBodyBytes
        self.userAgent = userAgent
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private final class Sink {
        var body: [UInt8] = []
        var headers: [String: String] = [:]
        let limit: Int
        var overflow = false
        init(limit: Int) { self.limit = limit }
    }

    public func send(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) throws -> Response {
        _ = HTTPClient.globalInit
        guard let h = curl_easy_init() else { throw CurlError(code: -1, message: "cannot create a curl handle") }
        defer { curl_easy_cleanup(h) }
        let sink = Sink(limit: maxBodyBytes)
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
        scribe_curl_setopt_long(h, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS))
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
            throw CurlError(code: Int(rc.rawValue), message: String(cString: curl_easy_strerror(rc)))
        }
        var status: Int = 0
        scribe_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, headers: sink.headers, body: sink.body)
    }
}
