import Foundation

/// Calls `body` for every index in `0..<count` on all cores and returns the results in index order.
public func concurrentMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    let slots = Slots<T>(count)
    defer { slots.free() }
    DispatchQueue.concurrentPerform(iterations: count) { i in slots.put(i, body(i)) }
    return slots.values()
}

/// One slot per iteration of a concurrent loop.
// @unchecked: each slot is written by exactly one iteration and read only after `concurrentPerform` returned,
// which orders every write before the reads; no two threads touch the same slot.
private final class Slots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<T?>

    init(_ count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }

    func put(_ i: Int, _ value: T) { buffer[i] = value }
    func values() -> [T] { buffer.map { $0! } }

    func free() {
        buffer.deinitialize()
        buffer.deallocate()
    }
}
