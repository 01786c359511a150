/// Text that is stored on jobs and events and shown to people is bounded in size: an error message can
/// carry a tool's whole output (or a hostile repository's), and every poll of the job would send it again.
public enum BoundedText {
    /// `error_message`, the error log's entries and an object's error.
    public static let errorMessageMaxBytes = 2048
    /// An event line.
    public static let eventMaxBytes = 4096
    /// Ends text that was cut, so a reader knows there was more.
    public static let marker = " … [truncated]"

    /// `s` when it fits in `maxBytes` of UTF-8; else its longest prefix that ends between two scalars
    /// (never inside a multi-byte sequence) followed by the marker, at most `maxBytes` in all.
    public static func bounded(_ s: String, maxBytes: Int) -> String {
        guard s.utf8.count > maxBytes else { return s }
        let room = max(0, maxBytes - marker.utf8.count)
        var end = s.utf8.index(s.utf8.startIndex, offsetBy: room)
        while end > s.utf8.startIndex, s.utf8[end] & 0xC0 == 0x80 { end = s.utf8.index(before: end) }
        return String(s.unicodeScalars[..<end]) + marker
    }

    public static func errorMessage(_ s: String) -> String { bounded(s, maxBytes: errorMessageMaxBytes) }
    public static func event(_ s: String) -> String { bounded(s, maxBytes: eventMaxBytes) }
}
