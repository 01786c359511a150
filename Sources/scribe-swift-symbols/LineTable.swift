/// 1-based line numbers for UTF-8 offsets of one source buffer. Line breaks are `\n`, `\r\n`
/// and a lone `\r`, as for swift-syntax's SourceLocationConverter, which this replaces because
/// it walks the whole tree to find them (a noticeable share of the run time).
struct LineTable {
    private var starts: [Int] = [0]  // offset of each line's first byte

    init(_ source: UnsafeBufferPointer<UInt8>) {
        var i = 0
        let n = source.count
        while i < n {
            let b = source[i]
            if b == 0x0A {
                starts.append(i + 1)
            } else if b == 0x0D {
                if i + 1 < n, source[i + 1] == 0x0A { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
    }

    func line(_ offset: Int) -> Int {
        // Number of line starts at or before offset.
        var low = 0
        var high = starts.count
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] <= offset { low = mid + 1 } else { high = mid }
        }
        return max(low, 1)
    }
}
