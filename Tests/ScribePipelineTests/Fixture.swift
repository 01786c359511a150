import Foundation

/// A source tree written by a test into a fresh temporary folder, removed when the fixture goes.
final class Fixture {
    let root: String

    init(_ files: [String: String]) throws {
        root = NSTemporaryDirectory() + "scribe-fixture-\(UUID().uuidString)"
        for (path, text) in files {
            let full = "\(root)/\(path)"
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}
