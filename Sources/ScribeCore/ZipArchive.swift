/// A ZIP archive of stored (uncompressed) entries, enough for a documentation export that any unzip tool
/// and any operating system's file manager opens. Sizes stay under 4 GiB (no ZIP64).
public struct ZipArchive {
    private var data: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0

    public init() {}

    /// The archive's size so far, for callers that cap it.
    public var size: Int { data.count }

    public mutating func add(path: String, contents: [UInt8]) {
        let name = Array(path.utf8)
        let crc = ZipArchive.crc32(contents)
        let offset = UInt32(truncatingIfNeeded: data.count)
        // Local file header: version 2.0, flag bit 11 (UTF-8 names), stored, a fixed DOS time (1980-01-01).
        var local: [UInt8] = []
        local += le32(0x0403_4b50) + le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0x21)
        local += le32(crc) + le32(UInt32(contents.count)) + le32(UInt32(contents.count)) + le16(UInt16(name.count)) + le16(0)
        data += local + name + contents
        central += le32(0x0201_4b50) + le16(0x0314) + le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0x21)
        central += le32(crc) + le32(UInt32(contents.count)) + le32(UInt32(contents.count)) + le16(UInt16(name.count))
        central += le16(0) + le16(0) + le16(0) + le16(0) + le32(0o100644 << 16) + le32(offset) + name
        count += 1
    }

    /// The finished archive: entries, central directory and its end record.
    public func bytes() -> [UInt8] {
        var out = data + central
        out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(UInt16(count)) + le16(UInt16(count))
        out += le32(UInt32(central.count)) + le32(UInt32(data.count)) + le16(0)
        return out
    }

    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24)] }

    private static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xffff_ffff
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xffff_ffff
    }
}
