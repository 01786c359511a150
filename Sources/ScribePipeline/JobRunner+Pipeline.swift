import Foundation
import ScribeCore
import ScribeCrypto
import ScribeNet
import ScribeStore

extension JobRunner {
    /// What the first steps learn about the job and that the later ones read.
    struct Subject {
        let job: Job
        let options: JobOptions
        let llm: LLMSettings?
        let repo: RepositoryStore.Repository
        let accepted: URLPolicy.Accepted
    }

    /// The job's steps (SPEC §3), each a method below; a cache hit completes the job after the commit is known.
    func pipeline(cloneDir: String) throws {
        let subject = try readSubject()
        var git = try makeGit()
        var branch = subject.options.branch ?? subject.repo.branch
        try authenticate(subject, &git, branch: &branch)
        guard var commit = try resolveCommit(subject, git, branch: branch) else { return }
        commit = try fetchContents(subject, git, branch: branch, commit: commit, into: cloneDir)
        let (analysis, modules) = try analyze(subject, cloneDir: cloneDir)
        let fingerprints = try seedObjects(modules, analysis, subject, git, cloneDir: cloneDir)

        let repo = subject.repo
        let out = try DocumentationSteps.output(
            for: modules, .init(dir: "\(workDir)/out", repositoryURL: repo.url, commit: commit, sourceRoot: cloneDir))
        let previous = subject.options.regenerateAll ? [:] : try source.previousObjects(repositoryID: repo.id)
        try generate(
            modules, analysis, out, fingerprints: fingerprints, previous: previous, repositoryID: repo.id,
            options: subject.options, llm: subject.llm)
        let failed = try source.objects().filter { $0.status == .failed }.map(\.path).sorted()
        if !failed.isEmpty {
            try lease.event(
                kind: "error", level: "warning",
                "\(failed.count) of \(modules.count) modules failed (\(failed.joined(separator: ", "))): the job completes "
                    + "without their pages (partial); Retry regenerates only these")
        }
        let pages = try finalize(analysis, modules, out, subject, commit: commit)
        try save(pages, modules, out, failed: failed, repo: repo)
        try? FileManager.default.removeItem(atPath: workDir)
        logger.info("job completed", metadata: ["job.modules": "\(modules.count)"])
    }

    /// Initializing and metadata: the job, its options, the LLM settings (an LLM job without a key fails now,
    /// before any work is spent), the repository and its URL as the policy accepts it.
    func readSubject() throws -> Subject {
        try step(.initializing)
        guard let job = try source.job() else { throw PipelineError.stopped(.leaseLost) }
        let options = (try? JobOptions.parse(job.options).get()) ?? JobOptions()
        let llm = options.generator == "llm" ? try llmSettings(organisationID: job.organisationID, options: options) : nil

        try step(.metadata)
        guard let repo = try source.repository(id: job.repositoryID) else {
            throw PipelineError.fatal("The repository of this job was deleted")
        }
        let accepted: URLPolicy.Accepted
        switch URLPolicy(config: config).check(repo.url) {
        case .success(let a): accepted = a
        case .failure(let e): throw PipelineError.fatal("Repository URL refused: \(e.message)")
        }
        try lease.event("Repository \(repo.name) (\(accepted.url))")
        return Subject(job: job, options: options, llm: llm, repo: repo, accepted: accepted)
    }

    /// git with a home of the job's own, its failures logged.
    func makeGit() throws -> Git {
        let home = "\(workDir)/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        var git = Git(timeout: Double(config.cloneTimeoutSeconds), home: home, allowPrivateNetworks: config.allowPrivateNetworks)
        git.onFailure = { [logger] what, line in logger.warning("git failed", metadata: ["git.step": "\(what)", "git.stderr": "\(line)"]) }
        return git
    }

    /// GitHub authentication and validation (SPEC §3's 20 and 25 %), and the repository's metadata from GitHub.
    func authenticate(_ subject: Subject, _ git: inout Git, branch: inout String?) throws {
        let (job, repo, accepted) = (subject.job, subject.repo, subject.accepted)
        if let slug = accepted.githubSlug {
            let token = try githubToken(owner: repo.createdBy ?? job.triggeredBy)
            let github = GitHubClient(
                baseURL: config.githubAPI, http: HTTPClient(timeoutSeconds: 20, allowPrivateNetworks: config.allowPrivateNetworks))
            try step(.validateToken)
            if let token {
                let login = try withRateLimit { try github.validate(token: token) }
                try lease.event("GitHub token valid (user \(login))")
                git.authHeader = GitHubClient.gitAuthHeader(token: token)
            } else {
                try lease.event("No GitHub token stored: only public repositories can be read")
            }
            do {
                let info = try withRateLimit { try github.repository(slug: slug, token: token) }
                guard try lease.setRepositoryMetadata(description: info.description, defaultBranch: info.defaultBranch) else {
                    throw PipelineError.stopped(.leaseLost)
                }
                if branch == nil { branch = info.defaultBranch }
                try lease.event("GitHub: default branch \(info.defaultBranch ?? "?")\(info.isPrivate ? ", private" : "")")
            } catch GitHubClient.Failure.notFound {
                // Without a token a private repository looks missing: say what would fix it.
                throw PipelineError.fatal(token == nil ? Messages.githubTokenMissing : Messages.repositoryNotFound(repo.url))
            }
        } else {
            try step(.githubAuth)
            try lease.event("No GitHub authentication needed for this repository's host")
            try step(.validateToken)
            try lease.event("No GitHub token to validate")
        }
    }

    /// The commit to document, and the cache: nil when an earlier job's pages completed this one.
    func resolveCommit(_ subject: Subject, _ git: Git, branch: String?) throws -> String? {
        let (job, options, repo, accepted) = (subject.job, subject.options, subject.repo, subject.accepted)
        try step(.resolveCommit)
        if case .local(let path) = accepted.kind, !FileManager.default.fileExists(atPath: path) {
            throw PipelineError.fatal(Messages.repositoryNotFound(repo.url))
        }
        let commit: String
        if let c = options.commit {
            commit = c
        } else {
            commit = try stoppable { try git.resolve(url: accepted.url, branch: branch, watch: watchReason).commit }
        }
        let cacheKey = JobRunner.cacheKey(url: accepted.url, commit: commit, options: options)
        if options.commit == nil || commit.count == 40 {
            try check(try lease.setResolved(commit: commit, cacheKey: cacheKey))
            if !options.regenerateAll, let hit = try source.cached(organisationID: job.organisationID, cacheKey: cacheKey) {
                switch try lease.completeFromCache(sourceJobID: hit.jobID, docsPath: hit.docsPath) {
                case .completed:
                    try? lease.event("Cache hit: commit \(commit.prefix(12)) was documented by job \(hit.jobID)")
                    try? FileManager.default.removeItem(atPath: workDir)
                    return nil
                case .leaseLost: throw PipelineError.stopped(.leaseLost)
                case .sourceGone: try lease.event("The cached documentation of job \(hit.jobID) was removed meanwhile; generating")
                }
            }
        }
        try lease.event("Commit \(commit)")
        return commit
    }

    /// The shallow clone, within the size limit; returns the commit the clone holds.
    func fetchContents(_ subject: Subject, _ git: Git, branch: String?, commit: String, into cloneDir: String) throws -> String {
        let (options, accepted) = (subject.options, subject.accepted)
        var commit = commit
        try step(.fetchContents)
        let limitBytes = Int64(config.maxRepositoryMegabytes) << 20
        var lastSizeCheck = Date.distantPast
        try stoppable {
            try git.clone(url: accepted.url, branch: branch, commit: commit, into: cloneDir) { [self] in
                if let r = watchReason() { return r }
                if Date().timeIntervalSince(lastSizeCheck) > 2 {
                    lastSizeCheck = Date()
                    if JobRunner.folderSize(cloneDir) > limitBytes { return "size" }
                }
                return nil
            }
        }
        if JobRunner.folderSize(cloneDir) > limitBytes {
            throw PipelineError.fatal("The repository is larger than the limit of \(config.maxRepositoryMegabytes) MB")
        }
        let resolved = git.headCommit(in: cloneDir) ?? commit
        if resolved != commit {
            commit = resolved
            let cacheKey = JobRunner.cacheKey(url: accepted.url, commit: commit, options: options)
            try check(try lease.setResolved(commit: commit, cacheKey: cacheKey))
        }
        return commit
    }

    /// The analysis of the clone and the modules the job documents.
    func analyze(_ subject: Subject, cloneDir: String) throws -> (Analysis, [Analysis.Module]) {
        try step(.analyze)
        let analysis = try stoppable { try analyzeReporting(root: cloneDir) }
        if analysis.files.isEmpty { throw PipelineError.fatal(Messages.repositoryEmpty) }
        let modules = try DocumentationSteps.modules(of: analysis, wanted: subject.options.modules)
        try lease.event(
            "Found \(analysis.files.count) files, \(analysis.totalLines) lines, \(analysis.symbols.count) declarations, "
                + "\(modules.count) modules, \(analysis.dependencies.count) module dependencies"
                + (analysis.skipped.total > 0
                    ? "; skipped "
                        + analysis.skipped.reasons.filter { $0.count > 0 }.map { "\($0.count) \($0.words)" }.joined(separator: ", ")
                    : ""))
        return (analysis, modules)
    }

    /// Each module's fingerprint (what its page depends on) and the job's objects, the checkpoint.
    func seedObjects(
        _ modules: [Analysis.Module], _ analysis: Analysis, _ subject: Subject, _ git: Git, cloneDir: String
    ) throws -> [String: String] {
        let blobs = try stoppable { try git.blobs(in: cloneDir) }
        let flavour = subject.llm.map { "llm \($0.model)" } ?? "builtin"
        let documented = Set(modules.map(\.path))
        let fingerprints = Dictionary(
            uniqueKeysWithValues: modules.map { ($0.path, JobRunner.fingerprint($0, analysis, blobs, flavour: flavour, documented: documented)) })
        try lease.seedObjects(modules.map { (path: $0.path, fingerprint: fingerprints[$0.path]) })
        return fingerprints
    }

    /// Overview, index, HTML and diagrams, the coverage line, and the check of the built-in pages.
    func finalize(
        _ analysis: Analysis, _ modules: [Analysis.Module], _ out: DocsOutput, _ subject: Subject, commit: String
    ) throws -> [LeaseStore.PageRecord] {
        let ctx = BuiltinGenerator.Context(
            repositoryName: subject.repo.name, repositoryURL: subject.repo.url, commit: commit, generatedAt: JobRunner.now())
        let report = JobReport(runner: self)
        try report.step(.finalize)
        let pages = try stoppable { try DocumentationSteps.finalize(analysis, modules: modules, out, ctx, report: report) }
        let overall = analysis.overallCoverage(modules)
        try lease.event(
            "Documentation coverage: \(Analysis.Coverage.format(overall.percent)), \(overall.documented) of \(overall.exported) public symbols documented")
        if subject.llm == nil {
            try recordUnverified(out.verify(analysis, pages: pages.map(\.path), extra: [String(commit.prefix(12))]), modules)
        }
        return pages
    }

    /// Stores the pages and completes the job in one transaction.
    func save(
        _ pages: [LeaseStore.PageRecord], _ modules: [Analysis.Module], _ out: DocsOutput, failed: [String], repo: RepositoryStore.Repository
    ) throws {
        try step(.save)
        // A failed module whose page could not be written (the llm generator writes the marked built-in page
        // instead, which stays) is left out of the index with its HTML twin and parts, so every listed page
        // is one that was written.
        let failedSet = Set(failed)
        let pageless = modules.filter { m in
            guard failedSet.contains(m.path) else { return false }
            var st = stat()
            return lstat("\(out.dir)/\(m.pagePath)", &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG
        }
        let unwritten = Set(pageless.flatMap { [$0.pagePath, String($0.pagePath.dropLast(3)) + ".html"] })
        let partsOf = pageless.map { String($0.pagePath.dropLast(3)) + "/" }
        let written = pages.filter { p in !unwritten.contains(p.path) && !partsOf.contains { p.path.hasPrefix($0) } }
        let (indexed, contents) = try JobRunner.pageContents(written, in: out.dir)
        guard try lease.complete(docsPath: "\(repo.id)/\(jobID)", pages: indexed, contents: contents, cacheHit: false) else {
            throw PipelineError.stopped(.leaseLost)
        }
    }

    /// Runs the analysis on a thread of its own while this thread reports its progress (files read of files to
    /// read, declarations, the analysis' estimate) at most once a second, whenever it moved. The estimate is the
    /// analysis' own; generation replaces it with its per-module one.
    func analyzeReporting(root: String) throws -> Analysis {
        var analyzer = Analyzer()
        let progress = AnalysisProgress()
        analyzer.progress = progress
        let outcome = Locked<Result<Analysis, Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let worker = Thread { [analyzer] in
            let r = Result { try analyzer.analyze(root: root) }
            outcome.withLock { $0 = r }
            done.signal()
        }
        worker.name = "analysis"
        worker.stackSize = 16 << 20  // the walk recurses once per folder level, like the main thread's 8 MiB and more
        worker.start()
        let started = Date()
        var reported = AnalysisProgress.Snapshot()
        var lastWrite = Date.distantPast
        while done.wait(timeout: .now() + 0.2) == .timedOut {
            let s = progress.snapshot
            guard s != reported, Date().timeIntervalSince(lastWrite) >= 1 else { continue }
            let f = s.fraction
            let eta = f > 0.15 ? Date().timeIntervalSince(started) / f * (1 - f) : nil
            try check(try lease.progress(ProgressPlan.analyzing(fraction: f), step: s.step, etaSeconds: eta))
            reported = s
            lastWrite = Date()
        }
        guard let result = outcome.current else { throw PipelineError.transient("the analysis ended without a result") }
        return try result.get()
    }

    /// The built-in pages name only what the analysis holds, so this is empty by construction; anything the
    /// verifier finds is counted on the job like the LLM generator's unverified mentions, per module page.
    func recordUnverified(_ problems: [(page: String, problem: String)], _ modules: [Analysis.Module]) throws {
        guard !problems.isEmpty else { return }
        var byObject: [String: [String]] = [:]
        for p in problems {
            let owner = modules.first { p.page == $0.pagePath || p.page.hasPrefix("modules/\($0.pageName)/") }?.path ?? p.page
            byObject[owner, default: []].append(p.problem)
        }
        for (object, list) in byObject.sorted(by: { $0.key < $1.key }) {
            try check(
                try lease.layerFinished(
                    object, layer: "verify", status: .warning, promptTokens: 0, completionTokens: 0, costUSD: 0,
                    unverified: list.count, durationMs: 0,
                    message: "\(list.count) unverifiable mention\(list.count == 1 ? "" : "s"): \(list.prefix(3).joined(separator: "; "))"))
        }
    }

    /// The repository owner's GitHub token, from the database (never from a session), decrypted here only.
    func githubToken(owner: String?) throws -> String? {
        try step(.githubAuth)
        guard let owner, let sealed = try source.sealedGitHubToken(userID: owner) else { return nil }
        guard let key = config.secretKeyHex, let box = try? SecretBox(hexKey: key), let token = try? box.open(sealed) else {
            try lease.event(kind: "error", level: "warning", "The stored GitHub token cannot be decrypted with this server's SCRIBE_SECRET_KEY")
            throw PipelineError.fatal(Messages.githubTokenMissing)
        }
        return token
    }

    /// Calls GitHub; a 401 fails the job, a rate limit waits for `Retry-After` (cancel and pause still
    /// work meanwhile), 5xx and network errors retry the job later.
    func withRateLimit<T>(_ body: () throws -> T) throws -> T {
        var waits = 0
        while true {
            do {
                return try body()
            } catch let f as GitHubClient.Failure {
                // The job's message is the user's; the log keeps GitHub's answer (its HTTP status) behind it.
                logger.warning("GitHub request failed", metadata: ["github.answer": "\(f.description)"])
                switch f {
                case .unauthorized: throw PipelineError.fatal(Messages.githubTokenInvalid)
                case .rateLimited(let after):
                    let wait = after ?? backoff.delay(attempt: waits + 1)
                    waits += 1
                    guard waits <= 5, wait <= 120 else { throw PipelineError.transient("GitHub rate limit: retrying later") }
                    try lease.event(kind: "info", level: "warning", "GitHub rate limit reached; waiting \(Int(wait.rounded(.up))) s")
                    let until = Date().addingTimeInterval(wait)
                    while Date() < until {
                        usleep(100_000)
                        try check(allowPause: true)
                    }
                case .server, .network: throw PipelineError.transient(f.description)
                case .refused: throw PipelineError.fatal(f.description)
                default: throw f
                }
            }
        }
    }

    /// One object per module. Done modules of an earlier attempt are skipped (the checkpoint); unchanged
    /// modules reuse the current documentation's page; a failing module is recorded and the job goes on.
    func generate(
        _ modules: [Analysis.Module], _ analysis: Analysis, _ out: DocsOutput, fingerprints: [String: String],
        previous: [String: JobStore.PreviousObject], repositoryID: String, options: JobOptions, llm: LLMSettings?
    ) throws {
        let existing = Dictionary(try source.objects().map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var counts = LeaseStore.Counts(processed: 0, failed: 0, total: modules.count)
        var todo: [Analysis.Module] = []
        for m in modules {
            let status = existing[m.path]?.status
            if !options.regenerateAll, status?.isFinished == true, FileManager.default.fileExists(atPath: out.modulePagePath(m)) {
                counts.processed += 1
            } else {
                todo.append(m)
            }
        }
        if counts.processed > 0 {
            try lease.event("Resuming: \(counts.processed) of \(modules.count) modules already documented")
        }
        // Pages of unchanged modules (same fingerprint) are reused, as are all existing ones with skip_existing.
        var work: [Analysis.Module] = []
        let reuse = previous.isEmpty ? nil : PageReuse(source: source, repositoryID: repositoryID, out: out)
        for m in todo {
            guard let reuse, PageReuse.mayKeep(previous[m.path], fingerprint: fingerprints[m.path], skipExisting: options.skipExisting)
            else {
                work.append(m)
                continue
            }
            try check(allowPause: true)
            guard try reuse.copy(m) else {
                work.append(m)
                continue
            }
            counts.processed += 1
            try check(
                try lease.objectFinished(
                    m.path, status: .skipped, error: options.skipExisting ? "kept (skip_existing)" : "unchanged since the last documentation",
                    durationMs: 0, counts: counts, progress: ProgressPlan.generating(done: counts.processed + counts.failed, total: counts.total),
                    etaSeconds: nil))
        }
        if let llm {
            let estimate = work.reduce(0.0) { $0 + worstCase(LLMGenerator().facts($1, analysis), llm) }
            try check(try lease.setEstimate(generator: "llm", model: llm.model, costUSD: estimate))
            try lease.event(String(format: "Estimated cost: at most $%.4f for %d modules with %@", estimate, work.count, llm.model))
            try generateWithLLM(modules, analysis, out, todo: work, counts: counts, settings: llm, budget: options.budgetUSD)
            return
        }
        try DocumentationSteps.writeModules(work, analysis, out, counts: &counts, report: JobReport(runner: self))
        try check(allowPause: true)
    }

    /// The bytes of every indexed page of the output folder with their SHA-256, and the index with each page's
    /// hash and size: what the completing transaction stores.
    static func pageContents(_ pages: [LeaseStore.PageRecord], in dir: String) throws -> ([LeaseStore.PageRecord], [PageStore.Content]) {
        var indexed: [LeaseStore.PageRecord] = []
        var contents: [PageStore.Content] = []
        for var page in pages {
            guard let data = FileManager.default.contents(atPath: "\(dir)/\(page.path)") else {
                throw PipelineError.transient("The page \(page.path) was not written")
            }
            let bytes = Array(data)
            let hash = Secrets.hex(Secrets.sha256(bytes))
            page.contentHash = hash
            page.size = bytes.count
            indexed.append(page)
            contents.append(PageStore.Content(hash: hash, bytes: bytes))
        }
        return (indexed, contents)
    }

    /// What a module's page depends on: its files' contents, its dependencies both ways and the generator.
    /// The tests and examples cited under its symbols, and which of its neighbours have pages (linked or only
    /// named), count too.
    static func fingerprint(
        _ m: Analysis.Module, _ a: Analysis, _ blobs: [String: String], flavour: String, documented: Set<String>
    ) -> String {
        var text = BuiltinGenerator.version + " " + flavour + "\n"
        for f in m.files { text += "\(f.path) \(blobs[f.path] ?? "?")\n" }
        for s in a.publicSymbols(in: m.path) {
            for e in a.examples[Analysis.symbolKey(s)] ?? [] { text += "example \(e.path):\(e.line) \(blobs[e.path] ?? "?")\n" }
        }
        for d in a.uses(m.path) + a.usedBy(m.path) { text += "page \(d.from) \(documented.contains(d.from)) \(d.to) \(documented.contains(d.to))\n" }
        for d in a.uses(m.path) { text += "uses \(d.to) \(d.evidence.map { "\($0.path):\($0.line)" }.joined(separator: ","))\n" }
        for d in a.usedBy(m.path) { text += "usedby \(d.from) \(d.evidence.map { "\($0.path):\($0.line)" }.joined(separator: ","))\n" }
        return Secrets.sha256Hex(text)
    }

    /// The cache key: repository URL, resolved commit, generator, model, the options that shape the
    /// output, and the generator's version.
    static func cacheKey(url: String, commit: String, options: JobOptions) -> String {
        let parts = [
            url, commit, options.generator, options.model ?? "", (options.modules ?? []).sorted().joined(separator: ","),
            BuiltinGenerator.version,
        ]
        return Secrets.sha256Hex(parts.joined(separator: "\u{0}"))
    }

    static func folderSize(_ path: String) -> Int64 {
        var total: Int64 = 0
        guard let e = FileManager.default.enumerator(atPath: path) else { return 0 }
        while let f = e.nextObject() as? String {
            var st = stat()
            if lstat("\(path)/\(f)", &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { total += Int64(st.st_size) }
        }
        return total
    }

    static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }
}
