/// The pipeline's milestones (SPEC §3): percentages and the step text shown to people.
public enum Milestone: Int, CaseIterable, Sendable {
    case queued = 0
    case initializing = 5
    case metadata = 10
    case githubAuth = 20
    case validateToken = 25
    case resolveCommit = 30
    case fetchContents = 40
    case analyze = 50
    case finalize = 90
    case save = 95
    case completed = 100

    public var step: String {
        switch self {
        case .queued: return "Queued"
        case .initializing: return "Initializing"
        case .metadata: return "Fetching repository metadata"
        case .githubAuth: return "Fetching GitHub authentication"
        case .validateToken: return "Validating GitHub token"
        case .resolveCommit: return "Resolving commit, checking the cache"
        case .fetchContents: return "Fetching repository contents"
        case .analyze: return "Analyzing code structure"
        case .finalize: return "Finalizing output"
        case .save: return "Saving documentation"
        case .completed: return "Completed"
        }
    }

    /// The numbered line of the step log, as the seeds wrote it: `Step 3: Validating GitHub token…`
    /// (Initializing is unnumbered; the steps after it count from 1).
    public var logLine: String {
        let index = (Milestone.allCases.firstIndex(of: self) ?? 0) - 1
        if self == .initializing || self == .queued { return "\(step)…" }
        return self == .completed ? "Step \(index): \(step)" : "Step \(index): \(step)…"
    }
}

public enum ProgressPlan {
    /// Where generating starts: the analysis moves from 50 up to here (files read of files to read), so that
    /// its progress shows and the plan stays monotonic.
    public static let generatingStart = 55

    /// Progress while generating object `done` of `total`: 55–90 proportionally.
    public static func generating(done: Int, total: Int) -> Int {
        guard total > 0 else { return Milestone.finalize.rawValue }
        let span = Milestone.finalize.rawValue - generatingStart
        return generatingStart + span * min(done, total) / total
    }

    /// The analysis' percentage inside its band (50 up to where generating starts, exclusive) for its done
    /// share, 0…1.
    public static func analyzing(fraction: Double) -> Int {
        let low = Milestone.analyze.rawValue
        let span = generatingStart - low
        guard fraction.isFinite else { return low }
        return low + min(span - 1, max(0, Int(Double(span) * fraction)))
    }

    /// The step text while analysing: `Analyzing code structure: 120 of 320 files read, 4210 declarations`.
    public static func analyzingStep(filesFound: Int, filesRead: Int, filesToRead: Int, declarations: Int) -> String {
        let base = Milestone.analyze.step
        if filesToRead == 0 { return filesFound > 0 ? "\(base): \(filesFound) files found" : base }
        return "\(base): \(filesRead) of \(filesToRead) files read, \(declarations) declarations"
    }

    public static func generatingStep(module: String, index: Int, total: Int) -> String {
        "Generating documentation: \(module) (\(index) of \(total))"
    }
}
