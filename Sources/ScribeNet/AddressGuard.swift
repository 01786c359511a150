import Foundation
import ScribeCore

#if canImport(Glibc)
    import Glibc
#endif

/// Resolves a host before anything is sent to it and refuses it when any of its addresses is one outbound
/// requests may not reach (loopback, private, link-local, unique-local…), unless private networks are allowed.
///
/// For libcurl requests this is an early, friendly check (HTTPClient checks again on every connection);
/// for git, a subprocess, it is the check, and the addresses it returns are pinned for git's own resolver.
public struct AddressGuard: Sendable {
    public let allowPrivateNetworks: Bool

    public init(allowPrivateNetworks: Bool) {
        self.allowPrivateNetworks = allowPrivateNetworks
    }

    /// A refusal, in words for the person who configured the host.
    public struct Refused: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    /// The host's addresses (every one of them allowed), or `Refused`. A name that does not resolve gives no
    /// addresses: there is nothing to refuse yet, and the connection will fail on its own.
    public func check(host: String) throws -> [NetworkAddress] {
        let bare = NetworkAddress.unbracketed(host)
        let addresses = NetworkAddress.parse(bare).map { [$0] } ?? AddressGuard.resolve(bare)
        if !allowPrivateNetworks {
            for a in addresses {
                if let why = a.refusal { throw Refused(message: NetworkAddress.refusalMessage(host: host, address: a, why)) }
            }
        }
        return addresses
    }

    /// getaddrinfo's answer (IPv4 and IPv6, once each, in its order).
    static func resolve(_ host: String) -> [NetworkAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>? = nil
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var out: [NetworkAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let n = node {
            if let sa = n.pointee.ai_addr {
                var found: NetworkAddress? = nil
                if n.pointee.ai_family == AF_INET {
                    sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                        var a = p.pointee.sin_addr
                        found = withUnsafeBytes(of: &a) { NetworkAddress(bytes: Array($0)) }
                    }
                } else if n.pointee.ai_family == AF_INET6 {
                    sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                        var a = p.pointee.sin6_addr
                        found = withUnsafeBytes(of: &a) { NetworkAddress(bytes: Array($0)) }
                    }
                }
                if let found, !out.contains(found) { out.append(found) }
            }
            node = n.pointee.ai_next
        }
        return out
    }
}
