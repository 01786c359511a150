import Testing

@testable import ScribeCore

@Suite("NetworkAddress")
struct NetworkAddressTests {
    @Test(
        "every spelling of a literal parses to the same address",
        arguments: [
            ("127.0.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0x7f.0.0.1", "127.0.0.1"),
            ("0x7F000001", "127.0.0.1"), ("017700000001", "127.0.0.1"), ("127.1", "127.0.0.1"), ("127.0.1", "127.0.0.1"),
            ("0", "0.0.0.0"), ("169.254.43518", "169.254.169.254"), ("[::1]", "::1"), ("::1", "::1"),
            ("0:0:0:0:0:0:0:1", "::1"), ("::ffff:127.0.0.1", "::ffff:127.0.0.1"), ("[::ffff:7f00:1]", "::ffff:127.0.0.1"),
            ("FE80::1", "fe80::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("::", "::"), ("1::", "1::"),
            ("64:ff9b::10.0.0.1", "64:ff9b::a00:1"),
        ])
    func spellings(_ literal: String, _ canonical: String) throws {
        let a = try #require(NetworkAddress.parse(literal), "\(literal)")
        #expect(a.description == canonical)
    }

    @Test(
        "names and malformed literals are not addresses",
        arguments: [
            "example.com", "localhost", "256.0.0.1", "1.2.3.4.5", "1.2.3.256", "1..2", "", "08.0.0.1", "4294967296",
            "1::2::3", "::ffff:1.2.3", "12345::", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", ":::", "cafe.be", "+1.2.3.4", "١٢٧.0.0.1",
        ])
    func notAddresses(_ s: String) {
        #expect(NetworkAddress.parse(s) == nil, "\(s)")
    }

    @Test(
        "refused ranges, IPv4 and IPv6, and IPv4 inside IPv6",
        arguments: [
            ("127.0.0.1", NetworkAddress.Refusal.loopback), ("127.255.255.254", .loopback), ("10.0.0.1", .private),
            ("172.16.0.1", .private), ("172.31.255.255", .private), ("192.168.1.1", .private), ("100.64.0.1", .sharedCGNAT),
            ("100.127.255.255", .sharedCGNAT), ("169.254.169.254", .linkLocal), ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified),
            ("224.0.0.251", .multicast), ("239.255.255.250", .multicast), ("255.255.255.255", .broadcast), ("240.0.0.1", .reserved),
            ("192.0.2.10", .documentation), ("::1", .loopback), ("::", .unspecified), ("fe80::1", .linkLocal),
            ("febf::1", .linkLocal), ("fc00::1", .uniqueLocal), ("fd00:ec2::254", .uniqueLocal), ("ff02::1", .multicast),
            ("::ffff:127.0.0.1", .loopback), ("::ffff:10.1.2.3", .private), ("::ffff:169.254.169.254", .linkLocal),
            ("::127.0.0.1", .reserved), ("64:ff9b::127.0.0.1", .loopback), ("2002:7f00:1::", .loopback),
            ("2002:a9fe:a9fe::1", .linkLocal), ("2001:db8::1", .documentation), ("fec0::1", .private),
        ])
    func refused(_ literal: String, _ why: NetworkAddress.Refusal) throws {
        let a = try #require(NetworkAddress.parse(literal), "\(literal)")
        #expect(a.refusal == why, "\(literal)")
    }

    @Test(
        "public addresses pass",
        arguments: [
            "8.8.8.8", "1.1.1.1", "140.82.112.3", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "169.253.0.1",
            "192.167.1.1", "11.0.0.1", "2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8",
            "2002:808:808::1",
        ])
    func publicAddresses(_ literal: String) throws {
        let a = try #require(NetworkAddress.parse(literal), "\(literal)")
        #expect(a.refusal == nil, "\(literal)")
    }

    @Test("raw socket bytes: 4 or 16, nothing else")
    func bytes() {
        #expect(NetworkAddress(bytes: [127, 0, 0, 1])?.refusal == .loopback)
        #expect(NetworkAddress(bytes: Array(repeating: 0, count: 15) + [1])?.refusal == .loopback)
        #expect(NetworkAddress(bytes: [1, 2, 3]) == nil)
    }

    @Test("the refusal message names the host as written, the address and the reason")
    func message() throws {
        let a = try #require(NetworkAddress.parse("2130706433"))
        let m = NetworkAddress.refusalMessage(host: "2130706433", address: a, .loopback)
        #expect(m.contains("2130706433 (127.0.0.1)") && m.contains("loopback"))
        let plain = NetworkAddress.refusalMessage(host: "[::1]", address: .v6(Array(repeating: 0, count: 15) + [1]), .loopback)
        #expect(plain.hasPrefix("::1 is refused"))
    }
}
