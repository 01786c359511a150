import Foundation

/// Parses `a=1&b=two` with percent-decoding (`+` as space).
public enum QueryString {
    public static func parse(_ q: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let k = String(kv[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncodingSafe ?? ""
            let v = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncodingSafe ?? "") : ""
            if !k.isEmpty && out[k] == nil { out[k] = v }
        }
        return out
    }
}
