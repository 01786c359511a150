import Foundation
import ScribeCore

/// What the analysis has done so far, counted by its threads and read by whoever reports it: files found by
/// the walk, then each source file twice (once by its symbol tool, once for doc comments and imports).
public final class AnalysisProgress: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// Files the walk has read (sizes, lines, READMEs); the walk's total is unknown until it ends.
        public var filesFound = 0
        /// Source files to read (known once the walk ends) and reads done, each counted twice (tool, comments).
        public var filesToRead = 0
        public var reads = 0
        public var declarations = 0

        /// Files read of files to read, as people count them: the tools' pass and the comments' pass averaged.
        public var filesRead: Int { filesToRead == 0 ? 0 : min(filesToRead, reads / 2) }

        public var step: String {
            ProgressPlan.analyzingStep(filesFound: filesFound, filesRead: filesRead, filesToRead: filesToRead, declarations: declarations)
        }

        /// Done share of the analysis, 0…1: the walk counts for a tenth, the reads for the rest.
        public var fraction: Double {
            guard filesToRead > 0 else { return filesFound > 0 ? 0.05 : 0 }
            return 0.1 + 0.9 * min(1, Double(reads) / Double(2 * filesToRead))
        }
    }

    private let state = Locked(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.current }

    func found(files n: Int = 1) { state.withLock { $0.filesFound += n } }
    func toRead(_ n: Int) { state.withLock { $0.filesToRead = n } }
    func read(_ n: Int = 1, declarations: Int = 0) {
        state.withLock {
            $0.reads += n
            $0.declarations += declarations
        }
    }
}
