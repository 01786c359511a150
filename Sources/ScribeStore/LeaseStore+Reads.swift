import Foundation

/// What a job's steps read besides their own row: the repository, the secrets sealed for it, the organisation's
/// LLM settings, and the documentation the repository points at now (pages to reuse, the cache). Reads need no
/// fence; they are here so that the worker holds no connection of its own and every statement it runs is the
/// lease store's.
extension LeaseStore {
    /// The job's repository (nil once it was deleted).
    public func repository(id: String) throws -> RepositoryStore.Repository? {
        try RepositoryStore(db).get(id: id)
    }

    /// The objects of the repository's current documentation, for reusing pages of unchanged modules.
    public func previousObjects(repositoryID: String) throws -> [String: JobStore.PreviousObject] {
        try JobStore(db).previousObjects(repositoryID: repositoryID)
    }

    /// Another completed job of the organisation with the same cache key, whose pages can complete this one.
    public func cached(organisationID: String, cacheKey: String) throws -> (jobID: String, docsPath: String)? {
        try JobStore(db).cached(organisationID: organisationID, cacheKey: cacheKey, excluding: jobID)
    }

    /// A page of the documentation the repository points at (reused for a module that did not change).
    public func currentPage(repositoryID: String, path: String) throws -> [UInt8]? {
        try PageStore(db).currentContent(repositoryID: repositoryID, path: path)
    }

    /// The organisation's LLM endpoint, model and sealed key, if it set them.
    public func llmSettings(organisationID: String) throws -> AccountStore.LLMSettings? {
        try AccountStore(db).llmSettings(organisationID: organisationID)
    }

    /// A user's sealed GitHub token (opened only by the worker).
    public func sealedGitHubToken(userID: String) throws -> [UInt8]? {
        try AccountStore(db).sealedGitHubToken(userID: userID)
    }
}
