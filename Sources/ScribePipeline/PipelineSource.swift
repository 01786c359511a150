import ScribeCore
import ScribeStore

/// What a job's steps read besides the tree: the job's own row and checkpoint, the repository, the secrets
/// sealed for it, the organisation's LLM settings, and the repository's current documentation (pages to reuse,
/// the cache). The lease store answers for a job, so the steps hold no database connection; their writes go
/// through the lease store's fenced methods and `JobReport`. Tests answer from folders (`PageReuseTests`).
protocol PipelineSource {
    /// The job's own row (nil once its lease is lost).
    func job() throws -> Job?
    /// The job's checkpoint: its objects with their status, from this attempt and earlier ones.
    func objects() throws -> [LeaseStore.ObjectRow]
    /// What the job's `llm` requests have cost so far, over all its attempts.
    func costSoFar() throws -> Double
    func repository(id: String) throws -> RepositoryStore.Repository?
    func previousObjects(repositoryID: String) throws -> [String: JobStore.PreviousObject]
    /// Another job's completed documentation for the same cache key, never this job's own.
    func cached(organisationID: String, cacheKey: String) throws -> (jobID: String, docsPath: String)?
    func currentPage(repositoryID: String, path: String) throws -> [UInt8]?
    func llmSettings(organisationID: String) throws -> AccountStore.LLMSettings?
    func sealedGitHubToken(userID: String) throws -> [UInt8]?
}

extension LeaseStore: PipelineSource {}
