import ScribeStore

/// What a job's steps read besides the tree and their own checkpoint: the repository, the secrets sealed for
/// it, the organisation's LLM settings, and the repository's current documentation (pages to reuse, the cache).
/// The lease store answers for a job, so the steps hold no database connection; their writes go through the
/// lease store's fenced methods and `JobReport`.
protocol PipelineSource {
    func repository(id: String) throws -> RepositoryStore.Repository?
    func previousObjects(repositoryID: String) throws -> [String: JobStore.PreviousObject]
    /// Another job's completed documentation for the same cache key, never this job's own.
    func cached(organisationID: String, cacheKey: String) throws -> (jobID: String, docsPath: String)?
    func currentPage(repositoryID: String, path: String) throws -> [UInt8]?
    func llmSettings(organisationID: String) throws -> AccountStore.LLMSettings?
    func sealedGitHubToken(userID: String) throws -> [UInt8]?
}

extension LeaseStore: PipelineSource {}
