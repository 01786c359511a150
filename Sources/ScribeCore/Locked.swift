import Foundation

/// A value shared between threads behind one lock: every read and write goes through `withLock`, so no
/// caller can touch the value without holding it.
public final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `value` is only ever reached inside `withLock`, under `lock`.
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with the value, holding the lock; keep it short and never block inside.
    @discardableResult
    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the value.
    public var current: Value { withLock { $0 } }
}
