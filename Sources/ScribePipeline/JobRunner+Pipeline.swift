import Foundation
import ScribeCore
import ScribeStore

extension JobRunner {
    func pipeline(cloneDir: String) throws {
        try step(.initializing)
        guard let job = try lease.job() else { throw PipelineError.stopped(.leaseLost) }
        let options = (try? JobOptions.parse(job.options).get()) ?? JobOptions()
        if options.generator == "llm" {
            throw PipelineError.fatal("The llm generator is not available on this server yet; use the builtin generator")
        }

        try step(.metadata)
        guard let repo = try RepositoryStore(lease.db).get(id: job.repositoryID) else {
            throw PipelineError.fatal("The repository of this job was deleted")
        }
        let policy = URLPolicy(allowedHosts: config.allowedHosts, allowLocal: config.allowLocalRepos)
        let accepted: URLPolicy.Accepted
        switch policy.check(repo.url) {
        case .success(let a): accepted = a
        case .failure(let e): throw PipelineError.fatal("Repository URL refused: \(e.message)")
        }
        try lease.event("Repository \(repo.name) (\(accepted.url))")

        try step(.githubAuth)
        try lease.event("No GitHub authentication needed for this repository's host")
        try step(.validateToken)
        try lease.event("No GitHub token to validate")

        try step(.resolveCommit)
        let home = "\(workDir)/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let git = Git(timeout: Double(config.cloneTimeoutSeconds), home: home)
        let branch = options.branch ?? repo.branch
        if case .local(let path) = accepted.kind, !FileManager.default.fileExists(atPath: path) {
            throw PipelineError.fatal(Messages.repositoryNotFound(repo.url))
        }
        let commit: String
        if let c = options.commit {
            commit = c
        } else {
            commit = try git.resolve(url: accepted.url, branch: branch, watch: watchReason).commit
        }
        try check(try lease.setResolved(commit: commit, cacheKey: nil))
        try lease.event("Commit \(commit)")

        try step(.fetchContents)
        let limitBytes = Int64(config.maxRepositoryMegabytes) << 20
        var lastSizeCheck = Date.distantPast
        try git.clone(url: accepted.url, branch: branch, commit: commit, into: cloneDir) { [self] in
            if let r = watchReason() { return r }
            if Date().timeIntervalSince(lastSizeCheck) > 2 {
                lastSizeCheck = Date()
                if JobRunner.folderSize(cloneDir) > limitBytes {
                    return "The repository is larger than the limit of \(config.maxRepositoryMegabytes) MB"
                }
            }
            return nil
        }
        try check()
        if JobRunner.folderSize(cloneDir) > limitBytes {
            throw PipelineError.fatal("The repository is larger than the limit of \(config.maxRepositoryMegabytes) MB")
        }
        let resolvedCommit = git.headCommit(in: cloneDir) ?? commit
        if resolvedCommit != commit { try check(try lease.setResolved(commit: resolvedCommit, cacheKey: nil)) }

        try step(.analyze)
        let analysis = try Analyzer().analyze(root: cloneDir)
        if analysis.files.isEmpty { throw PipelineError.fatal(Messages.repositoryEmpty) }
        var modules = analysis.modules
        if let wanted = options.modules {
            let unknown = wanted.filter { w in !modules.contains { $0.path == w } }
            if !unknown.isEmpty {
                throw PipelineError.fatal("Unknown modules: \(unknown.joined(separator: ", ")) (known: \(modules.map(\.path).joined(separator: ", ")))")
            }
            modules = modules.filter { wanted.contains($0.path) }
        }
        try lease.event("Found \(analysis.files.count) files, \(analysis.totalLines) lines, \(modules.count) modules")
        let blobs = try git.blobs(in: cloneDir)
        try lease.seedObjects(modules.map { (path: $0.path, fingerprint: JobRunner.fingerprint($0, blobs)) })

        let outDir = "\(workDir)/out"
        try FileManager.default.createDirectory(atPath: "\(outDir)/modules", withIntermediateDirectories: true)
        let ctx = BuiltinGenerator.Context(
            repositoryName: repo.name, repositoryURL: repo.url, commit: resolvedCommit, generatedAt: JobRunner.now())
        let generator = BuiltinGenerator()
        try generate(modules, analysis, ctx, generator, outDir: outDir, regenerateAll: options.regenerateAll)

        try step(.finalize)
        let overview = generator.overview(analysis, ctx, documented: modules)
        try JobRunner.write(overview.markdown, to: "\(outDir)/\(overview.path)")
        var pages: [LeaseStore.PageRecord] = [
            .init(path: overview.path, title: overview.title, kind: "overview", module: nil, contentType: "text/markdown; charset=utf-8")
        ]
        for m in modules {
            pages.append(.init(path: "modules/\(m.pageName).md", title: m.name, kind: "module", module: m.path, contentType: "text/markdown; charset=utf-8"))
        }
        let index: JSONValue = .object([
            ("repository", .string(repo.name)), ("url", .string(repo.url)), ("commit", .string(resolvedCommit)),
            ("generator", .string(BuiltinGenerator.version)), ("generated_at", .string(ctx.generatedAt)),
            ("pages", .array(pages.map { .object([("path", .string($0.path)), ("title", .string($0.title)), ("kind", .string($0.kind)), ("module", .str($0.module))]) })),
            ("objects", .array(modules.map { .object([("path", .string($0.path)), ("files", .num($0.files.count)), ("lines", .num($0.lines))]) })),
        ])
        try JobRunner.write(index.serialized() + "\n", to: "\(outDir)/index.json")
        pages.append(.init(path: "index.json", title: "Index", kind: "index", module: nil, contentType: "application/json"))

        try step(.save)
        let docsRel = "\(repo.id)/\(jobID)"
        let finalDir = "\(config.dataDir)/docs/\(docsRel)"
        try FileManager.default.createDirectory(atPath: "\(config.dataDir)/docs/\(repo.id)", withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: finalDir)
        try FileManager.default.moveItem(atPath: outDir, toPath: finalDir)
        guard try lease.complete(docsPath: docsRel, pages: pages, cacheHit: false) else { throw PipelineError.stopped(.leaseLost) }
        try? FileManager.default.removeItem(atPath: workDir)
        logger.info("job completed", metadata: ["job.modules": "\(modules.count)"])
    }

    /// One object per module. Modules already done in an earlier attempt (the checkpoint) are skipped when
    /// their page is still there; a failing module is recorded and the job goes on (graceful degradation).
    func generate(
        _ modules: [Analysis.Module], _ analysis: Analysis, _ ctx: BuiltinGenerator.Context, _ generator: BuiltinGenerator,
        outDir: String, regenerateAll: Bool
    ) throws {
        let existing = Dictionary(try lease.objects().map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var counts = LeaseStore.Counts(processed: 0, failed: 0, total: modules.count)
        var todo: [Analysis.Module] = []
        for m in modules {
            let pagePath = "\(outDir)/modules/\(m.pageName).md"
            if !regenerateAll, existing[m.path]?.status == "done", FileManager.default.fileExists(atPath: pagePath) {
                counts.processed += 1
            } else {
                todo.append(m)
            }
        }
        if counts.processed > 0 {
            try lease.event("Resuming: \(counts.processed) of \(modules.count) modules already documented")
        }
        let started = Date()
        var doneThisAttempt = 0
        for m in todo {
            try check(allowPause: true)
            let index = counts.processed + counts.failed + 1
            let progress = ProgressPlan.generating(done: counts.processed + counts.failed, total: counts.total)
            try check(try lease.objectStarted(
                m.path, progress: progress, step: ProgressPlan.generatingStep(module: m.name, index: index, total: counts.total)))
            let t0 = Date()
            var status = "done"
            var failure: String? = nil
            try throttle()
            do {
                let page = generator.modulePage(m, analysis, ctx)
                try JobRunner.write(page.markdown, to: "\(outDir)/\(page.path)")
                counts.processed += 1
            } catch {
                status = "failed"
                counts.failed += 1
                failure = "\(error)"
            }
            doneThisAttempt += 1
            let elapsed = Date().timeIntervalSince(started)
            let remaining = todo.count - doneThisAttempt
            let eta = remaining > 0 ? elapsed / Double(doneThisAttempt) * Double(remaining) : nil
            try check(try lease.objectFinished(
                m.path, status: status, error: failure, durationMs: Int(Date().timeIntervalSince(t0) * 1000), counts: counts,
                progress: ProgressPlan.generating(done: counts.processed + counts.failed, total: counts.total), etaSeconds: eta))
        }
        try check(allowPause: true)
    }

    static func fingerprint(_ m: Analysis.Module, _ blobs: [String: String]) -> String? {
        guard !blobs.isEmpty else { return nil }
        let lines = m.files.map { "\($0.path) \(blobs[$0.path] ?? "?")" }.joined(separator: "\n")
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in lines.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return String(h, radix: 16)
    }

    static func write(_ text: String, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = path + ".tmp"
        try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
        if rename(tmp, path) != 0 { throw PipelineError.transient("cannot write \(path)") }
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
