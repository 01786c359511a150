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
        timeoutSeconds: Int = 30, connectTimeoutSeconds: Int = 10, maxBodyBytes: Int = 16 << 20,
        userAgent: String = "Scribe/1.0",
        allowPrivateNetworks: Bool = false
    ) {
        self.timeoutSeconds = timeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.maxBodyBytes = maxBodyBytes
        self.userAgent = userAgent
        self.allowPrivateNetworks = allowPrivateNetworks
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public func send(
        method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) throws -> Response {
        _ = HTTPClient.globalInit
        let transfer = try Transfer(
            limit: maxBodyBytes, allowPrivate: allowPrivateNetworks, host: HTTPClient.hostOf(url), headers: headers,
            body: body)
        try transfer.restrictDestinations()
        transfer.setRequest(
            method: method, url: url, userAgent: userAgent, timeoutSeconds: timeoutSeconds,
            connectTimeoutSeconds: connectTimeoutSeconds)
        transfer.collectResponse()
        return try transfer.perform()
    }

    /// The host part of a URL as the person wrote it, for messages.
    static func hostOf(_ url: String) -> String {
        URLComponents(string: url)?.host ?? "the server"
    }
}

extension HTTPClient {
    /// One request on one curl handle. It owns everything curl points to while the transfer runs (the header
    /// list, the body's bytes, itself as the callbacks' data), so none of it can go before the handle does.
    private final class Transfer {
        private let handle: UnsafeMutableRawPointer
        private let headerList: UnsafeMutablePointer<curl_slist>?
        /// The request body as curl reads it (`CURLOPT_POSTFIELDS` is not copied), and its length.
        private let requestBytes: UnsafeMutableRawBufferPointer?
        private let requestLength: Int
        /// curl's own words for a failure (which system call failed, and why), filled in by curl.
        private let errorText: UnsafeMutablePointer<CChar>
        private let limit: Int
        private let allowPrivate: Bool
        /// The URL's host as written, for messages.
        private let host: String
        private var body: [UInt8] = []
        private var headers: [String: String] = [:]
        private var overflow = false
        /// Why the last refused connection was refused, for the error message.
        private var refused: String? = nil

        init(limit: Int, allowPrivate: Bool, host: String, headers: [(String, String)], body: [UInt8]?) throws {
            guard let h = curl_easy_init() else { throw CurlError(code: -1, message: "cannot create a curl handle") }
            handle = h
            errorText = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
            errorText.initialize(to: 0)
            scribe_curl_setopt_pointer(h, CURLOPT_ERRORBUFFER, errorText)
            self.limit = limit
            self.allowPrivate = allowPrivate
            self.host = host
            var list: UnsafeMutablePointer<curl_slist>? = nil
            for (k, v) in headers { list = curl_slist_append(list, "\(k): \(v)") }
            headerList = curl_slist_append(list, "Expect:")
            requestLength = body?.count ?? 0
            if let body {
                // At least one byte: an empty body is still a pointer (a null one would make curl read stdin).
                let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(body.count, 1), alignment: 1)
                bytes.copyBytes(from: body)
                requestBytes = bytes
            } else {
                requestBytes = nil
            }
        }

        deinit {
            curl_easy_cleanup(handle)
            curl_slist_free_all(headerList)
            requestBytes?.deallocate()
            errorText.deallocate()
        }

        private var opaqueSelf: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

        /// The guards of where a request may go: a libcurl that refuses one of them sends nothing.
        func restrictDestinations() throws {
            // No redirects (to private addresses or anywhere).
            scribe_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
            let guards = [
                scribe_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
                scribe_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
                // Not the environment's proxy: the check must see the peer.
                scribe_curl_setopt_string(handle, CURLOPT_PROXY, ""),
                scribe_curl_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, opaqueSelf),
                scribe_curl_setopt_opensocket(handle, Transfer.openSocket),
            ]
            if let bad = guards.first(where: { $0 != CURLE_OK }) {
                throw CurlError(
                    code: Int(bad.rawValue),
                    message:
                        "this libcurl cannot restrict where requests go: \(String(cString: curl_easy_strerror(bad)))")
            }
        }

        func setRequest(method: String, url: String, userAgent: String, timeoutSeconds: Int, connectTimeoutSeconds: Int)
        {
            scribe_curl_setopt_string(handle, CURLOPT_URL, url)
            scribe_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)  // curl runs on worker threads
            scribe_curl_setopt_long(handle, CURLOPT_TIMEOUT, timeoutSeconds)
            scribe_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, connectTimeoutSeconds)
            scribe_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
            scribe_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
            scribe_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
            scribe_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
            if method == "HEAD" { scribe_curl_setopt_long(handle, CURLOPT_NOBODY, 1) }
            if let requestBytes {
                scribe_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, requestLength)
                scribe_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, requestBytes.baseAddress)
            }
        }

        /// The response's headers and body (up to the limit) into this transfer.
        func collectResponse() {
            scribe_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION) { ptr, size, n, ud in
                Unmanaged<Transfer>.fromOpaque(ud!).takeUnretainedValue().receiveBody(ptr!, count: size * n)
            }
            scribe_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, opaqueSelf)
            scribe_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION) { ptr, size, n, ud in
                Unmanaged<Transfer>.fromOpaque(ud!).takeUnretainedValue().receiveHeader(ptr!, count: size * n)
            }
            scribe_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, opaqueSelf)
        }

        private func receiveBody(_ ptr: UnsafeMutablePointer<CChar>, count: Int) -> Int {
            if body.count + count > limit {
                overflow = true
                return 0
            }
            body.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: count))
            return count
        }

        private func receiveHeader(_ ptr: UnsafeMutablePointer<CChar>, count: Int) -> Int {
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: count), as: UTF8.self)
            if line.hasPrefix("HTTP/") { headers = [:] }  // a new response (after 100 Continue)
            if let colon = line.firstIndex(of: ":") {
                let k = line[..<colon].lowercased()
                let v = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                headers[k] = v
            }
            return count
        }

        /// Runs the transfer on this thread; the response, or the error that ended it.
        func perform() throws -> Response {
            let rc = curl_easy_perform(handle)
            if overflow {
                throw CurlError(code: Int(CURLE_WRITE_ERROR.rawValue), message: "response larger than \(limit) bytes")
            }
            guard rc == CURLE_OK else {
                if let refused, rc == CURLE_COULDNT_CONNECT {
                    var e = CurlError(code: Int(rc.rawValue), message: refused)
                    e.refusedAddress = true
                    throw e
                }
                throw CurlError(code: Int(rc.rawValue), message: failureMessage(rc))
            }
            var status: Int = 0
            scribe_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return Response(status: status, headers: headers, body: body)
        }

        /// What curl says of the failure: its code's meaning, and the system's reason when curl recorded one
        /// (no URL path or query is ever in it: curl names at most the host and port).
        private func failureMessage(_ rc: CURLcode) -> String {
            let meaning = String(cString: curl_easy_strerror(rc))
            let detail = String(cString: errorText).trimmingCharacters(in: .whitespacesAndNewlines)
            return detail.isEmpty || detail == meaning ? meaning : "\(meaning) (\(detail))"
        }

        /// CURLOPT_OPENSOCKETFUNCTION: sees each address curl is about to connect to, after DNS.
        static let openSocket:
            @convention(c) (UnsafeMutableRawPointer?, curlsocktype, UnsafeMutablePointer<curl_sockaddr>?) ->
                curl_socket_t = {
                    ud, purpose, address in
                    guard let ud, let address, purpose == CURLSOCKTYPE_IPCXN else { return CURL_SOCKET_BAD }
                    let transfer = Unmanaged<Transfer>.fromOpaque(ud).takeUnretainedValue()
                    if let refusal = transfer.refusal(of: address) {
                        transfer.refused = refusal
                        return CURL_SOCKET_BAD
                    }
                    return scribe_curl_open_socket(address)
                }

        /// Why a connection to this address is refused, or nil when it may go ahead.
        private func refusal(of address: UnsafeMutablePointer<curl_sockaddr>) -> String? {
            var raw = [UInt8](repeating: 0, count: 16)
            let n = Int(scribe_curl_sockaddr_ip(address, &raw))
            guard let ip = NetworkAddress(bytes: Array(raw.prefix(n))) else {
                return "connections other than IPv4 and IPv6 are refused"
            }
            if !allowPrivate, let why = ip.refusal {
                return NetworkAddress.refusalMessage(host: host, address: ip, why)
            }
            return nil
        }
    }
}
