import Foundation

/// A boolean shared between threads that is only ever set: a stop request.
public final class StopFlag: Sendable {
    private let value = Locked(false)

    public init() {}

    public var isSet: Bool { value.current }
    public func set() { value.withLock { $0 = true } }
}
