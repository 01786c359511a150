extension JobOptions {
    /// The options of a job that a push or a poll asks for: those of the job whose pages are shown (so the
    /// docs are made as they were: generator, model, budget, retries, priority), for the whole repository,
    /// on the documented branch. The caller pins the commit.
    public static func forPush(previous: JSONValue?, branch: String?) -> JobOptions {
        var o = (try? JobOptions.parse(previous).get()) ?? JobOptions()
        o.modules = nil
        o.regenerateAll = false
        o.skipExisting = false
        o.branch = branch
        o.commit = nil
        return o
    }

    /// The branch a push must name to be documented: the repository's own, else its default branch as last
    /// seen, else the one the push payload gives.
    public static func documentedBranch(repository: String?, default known: String?, payload: String?) -> String? {
        repository ?? known ?? payload
    }
}
