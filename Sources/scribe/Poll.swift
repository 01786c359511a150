import ArgumentParser
import Foundation
import ScribeCore
import ScribeCrypto
import ScribeNet
import ScribePipeline
import ScribeStore

/// `scribe poll`: freshness for hosts that receive no push webhooks (cron).
struct Poll: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask each repository's remote for its documented branch's head and enqueue a job when it moved.",
        discussion: """
            For cron on hosts without push webhooks. Each repository (every one, or those named) is asked with \
            `git ls-remote`, under the clone's own rules (no hooks, its transport only, no redirects, the host's \
            addresses checked and pinned). A head that moved from the documented or queued commit gets a job, \
            debounced like a push: a queued job is moved to the new commit, a running one gets at most one \
            follow-up. Repositories that never had a job are left alone unless named.

            One line per repository: ID OUTCOME COMMIT [JOB], OUTCOME one of enqueued, moved, follow-up, \
            already-active, up-to-date, at-limit, not-documented, or error (with the reason).

            Exit status: 0 every repository was checked, 1 the command failed (configuration, database), \
            2 the command line is wrong, 4 at least one repository could not be checked (the others were).
            """)
    @Argument(help: "Repository ids (default: every repository).") var repositories: [String] = []

    static let someFailed: Int32 = 4

    func run() throws {
        let (config, db) = try CLI.connect()
        for id in repositories where !Router.isUUID(id) { throw CLI.fail("not a repository id: \(id)") }
        let named = repositories.isEmpty ? nil : repositories.map { $0.lowercased() }
        let home = NSTemporaryDirectory() + "scribe-poll-\(getpid())"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let store = PushStore(db)
        let policy = URLPolicy(config: config)
        let box = config.secretKeyHex.flatMap { try? SecretBox(hexKey: $0) }
        var failed = 0
        var seen = 0
        var after: String? = nil
        while true {
            let batch = try store.pollTargets(ids: named, after: after, limit: 200)
            guard let last = batch.last else { break }
            after = last.id
            for target in batch {
                seen += 1
                guard named != nil || target.hasJobs else {
                    print("\(target.id) not-documented")
                    continue
                }
                do {
                    let (commit, outcome) = try poll(
                        target, config: config, policy: policy, box: box, home: home, db: db)
                    print("\(target.id) \(outcome.word) \(commit.prefix(12))\(outcome.jobID.map { " \($0)" } ?? "")")
                } catch let e as PGError where e.isConnectionError {
                    throw CLI.fail("database unavailable: \(e.message)")
                } catch {
                    failed += 1
                    print("\(target.id) error \(Self.oneLine(error))")
                }
            }
            if named != nil { break }
        }
        if let named, seen < named.count {
            throw CLI.fail("\(named.count - seen) of the repositories named do not exist")
        }
        if failed > 0 { throw ExitCode(Self.someFailed) }
    }

    private static func oneLine(_ error: Error) -> String {
        String(String(describing: error).split(separator: "\n").first ?? "").prefix(300).description
    }

    private func poll(
        _ t: PushStore.PollTarget, config: Config, policy: URLPolicy, box: SecretBox?, home: String, db: Connection
    ) throws -> (String, PushStore.Outcome) {
        let accepted: URLPolicy.Accepted
        switch policy.check(t.url) {
        case .success(let a): accepted = a
        case .failure(let e): throw PipelineError.fatal("repository URL refused: \(e.message)")
        }
        var git = Git(
            timeout: Double(min(config.cloneTimeoutSeconds, 60)), home: home,
            allowPrivateNetworks: config.allowPrivateNetworks)
        // A private GitHub repository is read with the token of the person who added it, as the worker does.
        if accepted.githubSlug != nil, let owner = t.createdBy, let box,
            let sealed = try AccountStore(db).sealedGitHubToken(userID: owner),
            let token = try? box.open(sealed)
        {
            git.authHeader = GitHubClient.gitAuthHeader(token: token)
        }
        let branch = JobOptions.documentedBranch(repository: t.branch, default: t.defaultBranch, payload: nil)
        let commit = try git.resolve(url: accepted.url, branch: branch, watch: nil).commit.lowercased()
        let outcome = try PushStore(db).record(
            repositoryID: t.id, commit: commit, activeLimit: config.maxActiveJobsPerOrganisation
        ) { JobOptions.forPush(previous: $0, branch: t.branch) }
        return (commit, outcome)
    }
}
