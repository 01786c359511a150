import Foundation

/// Wall time spent in each stage of a run (`scribe generate --json` reports it): the parse (the
/// syntax and ctags tools), comments and imports, module rules and resolution, pages, HTML and
/// diagrams. A stage may be entered several times; its seconds add up.
public final class StageClock: @unchecked Sendable {
    // @unchecked: `seconds` is read and written under `lock` only.
    public static let stages = ["parse", "comments_imports", "modules", "pages", "html", "diagrams"]
    private var seconds: [String: Double] = [:]
    private let lock = NSLock()

    public init() {}

    public func time<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(stage, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
    }

    public func add(_ stage: String, _ s: Double) {
        lock.lock()
        seconds[stage, default: 0] += s
        lock.unlock()
    }

    /// Each stage's seconds, in pipeline order.
    public var report: [(stage: String, seconds: Double)] {
        lock.lock()
        defer { lock.unlock() }
        return StageClock.stages.map { ($0, seconds[$0] ?? 0) }
    }
}
