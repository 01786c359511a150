import Foundation
import ScribeCore
import ScribeCrypto
import ScribeNet
import ScribeStore

/// The `llm` generator's run: modules in parallel (SCRIBE_LLM_CONCURRENCY), layers of a module in order,
/// every database write on the main thread, rate limits waited out, cancel at once and pause within a second
/// (requests in flight are then abandoned),
/// a budget that stops the job before it is exceeded.
extension JobRunner {
    struct LLMSettings {
        let client: LLMClient
        let model: String
        let pricePrompt: Double  // USD per token
        let priceCompletion: Double
    }

    /// Resolves the endpoint, model and key (organisation settings first, then SCRIBE_LLM_*), before any work.
    /// A key goes only to the endpoint it was configured with: the organisation's key to the organisation's
    /// URL (the store clears the key when the URL changes without a new key), the server's key to the
    /// server's URL, never the server's key to an organisation's own endpoint.
    func llmSettings(organisationID: String, options: JobOptions) throws -> LLMSettings {
        let org = try source.llmSettings(organisationID: organisationID)
        var key: String? = nil
        if let sealed = org?.sealedKey {
            guard let hex = config.secretKeyHex, let box = try? SecretBox(hexKey: hex), let k = try? box.open(sealed) else {
                throw PipelineError.fatal(Messages.noLLMKey + " (the stored key cannot be decrypted with this server's SCRIBE_SECRET_KEY)")
            }
            key = k
        }
        let orgBase = org?.baseURL
        if key == nil && (orgBase == nil || orgBase == config.llmBaseURL) { key = config.llmAPIKey }
        guard let key, !key.isEmpty else { throw PipelineError.fatal(Messages.noLLMKey) }
        guard let base = orgBase ?? config.llmBaseURL else {
            throw PipelineError.fatal("No LLM endpoint configured (SCRIBE_LLM_BASE_URL or the organisation's LLM settings)")
        }
        // Settings stored before the rules of URLPolicy.endpoint, or through the database, meet them here.
        if case .failure(let e) = URLPolicy.endpoint(base, field: "LLM base URL", allowPrivateNetworks: config.allowPrivateNetworks) {
            throw PipelineError.fatal(e.message)
        }
        guard let model = options.model ?? org?.model ?? config.llmModel else {
            throw PipelineError.fatal("No LLM model configured (options.model, the organisation's LLM settings or SCRIBE_LLM_MODEL)")
        }
        return LLMSettings(
            client: LLMClient(
                baseURL: base, model: model, apiKey: key, timeoutSeconds: config.llmTimeoutSeconds,
                allowPrivateNetworks: config.allowPrivateNetworks), model: model,
            pricePrompt: config.llmPricePromptPerMillion / 1_000_000, priceCompletion: config.llmPriceCompletionPerMillion / 1_000_000)
    }

    /// Upper bound of a module's cost: its prompts' tokens (counted by `TokenEstimate`, which stays above
    /// providers' tokenizers) and each answer's limit.
    func worstCase(_ facts: String, _ s: LLMSettings) -> Double {
        let gen = LLMGenerator()
        return LLMGenerator.layers.reduce(0.0) { sum, layer in
            let prompt = TokenEstimate.promptTokens([LLMGenerator.system, gen.prompt(layer, facts: facts)])
            return sum + Double(prompt) * s.pricePrompt + Double(s.client.maxTokens) * s.priceCompletion
        }
    }

    /// How long a pause waits for LLM answers in flight before abandoning them: short enough that a pause
    /// takes effect within 2 s.
    static let pauseGraceSeconds = 1.0

    /// What the request threads and the main thread share: messages for the main thread (which alone writes to
    /// the database), and the stop and the fatal error that end the run. All of it behind one lock.
    private final class Shared: Sendable {
        private struct State {
            var results: [Message] = []
            var stop = false
            var fatal: String? = nil
        }

        private let state = Locked(State())
        let ready = DispatchSemaphore(value: 0)
        /// The provider key's limits, shared by every request thread (SCRIBE_LLM_MAX_RPM per worker).
        let limiter: RateLimiter

        init(limiter: RateLimiter) {
            self.limiter = limiter
        }

        func post(_ m: Message) {
            state.withLock { $0.results.append(m) }
            ready.signal()
        }

        func take() -> [Message] {
            state.withLock { s in
                defer { s.results.removeAll() }
                return s.results
            }
        }

        var stopping: Bool { state.withLock { $0.stop } }
        var fatalMessage: String? { state.withLock { $0.fatal } }

        func stopAll() { state.withLock { $0.stop = true } }

        /// The first fatal error wins; every thread stops.
        func fail(_ message: String) {
            state.withLock { s in
                if s.fatal == nil { s.fatal = message }
                s.stop = true
            }
        }
    }

    private enum Message {
        case layer(module: String, layer: String, ok: Bool, prompt: Int, completion: Int, ms: Int, note: String)
        case waiting(module: String, seconds: Double)
        case notice(module: String, text: String)
        case module(module: String, sections: [(String, String)]?, failure: String?)
    }

    /// The main thread's account of a run: what is in flight, what was spent, why it stops.
    private struct LLMRun {
        var counts: LeaseStore.Counts
        var queue: ArraySlice<Analysis.Module>
        var spent: Double
        var inFlight: [String: Double] = [:]  // module -> its worst-case cost, reserved while it runs
        var started: [String: Date] = [:]
        let t0 = Date()
        var finishedHere = 0
        var stopReason: PipelineError? = nil
        var pauseSeen: Date? = nil
    }

    /// What a module's request thread needs: every part is shared safely (values, or locked inside).
    private struct LayerRequests: Sendable {
        let settings: LLMSettings
        let gen: LLMGenerator
        let shared: Shared
        let control: WorkerControl
        let backoff: Backoff
        let maxRetries: Int

        enum Outcome {
            case written(String)
            case stopped
            case failed(String)
        }

        /// Every layer of a module in order, on a pool thread; posts `.module` last, whatever happens.
        func run(_ m: Analysis.Module, facts: String) {
            var sections: [(String, String)] = []
            for layer in LLMGenerator.layers {
                switch request(layer, of: m.path, facts: facts) {
                case .written(let text):
                    sections.append((layer, text))
                case .stopped:
                    shared.post(.module(module: m.path, sections: nil, failure: nil))
                    return
                case .failed(let why):
                    shared.post(.module(module: m.path, sections: nil, failure: why))
                    return
                }
            }
            shared.post(.module(module: m.path, sections: sections, failure: nil))
        }

        private var stopRequested: Bool {
            let c = control.current
            return shared.stopping || c.signals.cancelRequested || c.signals.leaseLost || c.terminated
        }

        /// One layer's request, asked again while it may be: rate limits waited out (shared by all threads),
        /// transient errors retried with backoff, a fatal answer stopping every thread.
        private func request(_ layer: String, of module: String, facts: String) -> Outcome {
            var attempt = 0
            while true {
                // Cancel and pause act between requests.
                if stopRequested { return .stopped }
                // Wait out a rate limit (shared by all threads) and the requests-per-minute cap.
                let wait = shared.limiter.reserve()
                if wait > 0 {
                    Thread.sleep(forTimeInterval: min(wait, 0.2))
                    continue
                }
                let r0 = Date()
                do {
                    let c = try settings.client.complete(system: LLMGenerator.system, user: gen.prompt(layer, facts: facts))
                    report(c, layer: layer, of: module, ms: Self.milliseconds(since: r0))
                    return .written(c.text)
                } catch let e as LLMClient.Failure {
                    let ms = Self.milliseconds(since: r0)
                    if e.isFatal {
                        shared.fail(Self.fatalMessage(e))
                        return .stopped
                    }
                    if case .rateLimited(let after) = e {
                        // 429: wait for Retry-After (else backoff with jitter) and retry the same request.
                        let w = after ?? backoff.delay(attempt: attempt + 1)
                        shared.limiter.block(for: w)
                        shared.post(.waiting(module: module, seconds: w))
                        attempt += 1
                        if attempt > 50 { return failed(layer, of: module, ms: ms, e.description) }
                        continue
                    }
                    attempt += 1
                    if e.isRetryable && attempt <= maxRetries {
                        shared.post(
                            .layer(module: module, layer: layer, ok: false, prompt: 0, completion: 0, ms: ms, note: "\(e.description); retrying"))
                        Thread.sleep(forTimeInterval: backoff.delay(attempt: attempt))
                        continue
                    }
                    return failed(layer, of: module, ms: ms, e.description)
                } catch {
                    return .failed("\(error)")
                }
            }
        }

        private func report(_ c: LLMClient.Completion, layer: String, of module: String, ms: Int) {
            if c.truncated {
                shared.post(.notice(module: module, text: "\(module): the \(layer) answer was cut at \(settings.client.maxTokens) tokens (finish_reason: length)"))
            }
            if !c.usageReported {
                shared.post(.notice(module: module, text: "\(module): the LLM API reported no usage for \(layer); \(c.promptTokens + c.completionTokens) tokens counted from the text"))
            }
            shared.post(.layer(module: module, layer: layer, ok: true, prompt: c.promptTokens, completion: c.completionTokens, ms: ms, note: c.text))
        }

        private func failed(_ layer: String, of module: String, ms: Int, _ why: String) -> Outcome {
            shared.post(.layer(module: module, layer: layer, ok: false, prompt: 0, completion: 0, ms: ms, note: why))
            return .failed(why)
        }

        private static func milliseconds(since start: Date) -> Int { Int(Date().timeIntervalSince(start) * 1000) }

        private static func fatalMessage(_ e: LLMClient.Failure) -> String {
            if case .refused(let why) = e { return "The LLM endpoint was not contacted: \(why)" }
            if e == .quotaExhausted {
                return "The LLM account's quota is exhausted (429 insufficient_quota). Add credit to the provider's account, then retry."
            }
            return "The LLM API refused the key (401). Check the organisation's LLM key."
        }
    }

    /// Everything `generateWithLLM`'s steps read and never change.
    private struct LLMContext {
        let settings: LLMSettings
        let analysis: Analysis
        let out: DocsOutput
        let facts: [String: String]
        let vocabulary: Set<String>
        let byPath: [String: Analysis.Module]
        let budget: Double?
    }

    func generateWithLLM(
        _ modules: [Analysis.Module], _ analysis: Analysis, _ out: DocsOutput, todo: [Analysis.Module],
        counts startCounts: LeaseStore.Counts, settings s: LLMSettings, budget: Double?
    ) throws {
        let gen = LLMGenerator()
        let ctx = LLMContext(
            settings: s, analysis: analysis, out: out,
            facts: Dictionary(uniqueKeysWithValues: todo.map { ($0.path, gen.facts($0, analysis)) }),
            vocabulary: LLMGenerator.vocabulary(analysis), byPath: Dictionary(uniqueKeysWithValues: todo.map { ($0.path, $0) }),
            budget: budget)
        let shared = Shared(limiter: RateLimiter(maxPerMinute: config.llmMaxRequestsPerMinute))
        let requests = LayerRequests(
            settings: s, gen: gen, shared: shared, control: control, backoff: backoff, maxRetries: config.llmMaxRetries)
        // Requests abandoned by a stop keep their threads until the worker exits, after the final state.
        let pool = BoundedPool(width: config.llmConcurrency, name: "llm")
        defer { pool.stop() }
        var run = LLMRun(counts: startCounts, queue: todo[...], spent: try source.costSoFar())
        while true {
            if run.stopReason == nil && shared.fatalMessage == nil {
                do { try check(allowPause: true) } catch let e as PipelineError { run.stopReason = e }
            }
            try startModules(&run, ctx, shared: shared, pool: pool, requests: requests)
            if run.inFlight.isEmpty && (run.queue.isEmpty || run.stopReason != nil || shared.fatalMessage != nil) { break }
            if stopsWithoutWaiting(&run) { break }
            if run.stopReason != nil || shared.fatalMessage != nil { shared.stopAll() }
            _ = shared.ready.wait(timeout: .now() + 0.2)
            for msg in shared.take() { try record(msg, &run, ctx) }
        }
        if let fatal = shared.fatalMessage { throw PipelineError.fatal(fatal) }
        if let stopReason = run.stopReason { throw stopReason }
        try check(allowPause: true)
    }

    /// Starts modules while there is room, no stop, and the budget allows their worst case.
    private func startModules(
        _ run: inout LLMRun, _ ctx: LLMContext, shared: Shared, pool: BoundedPool, requests: LayerRequests
    ) throws {
        while run.stopReason == nil && shared.fatalMessage == nil && run.inFlight.count < pool.width, let m = run.queue.first {
            let facts = ctx.facts[m.path]!
            let need = worstCase(facts, ctx.settings)
            if let budget = ctx.budget, run.spent + run.inFlight.values.reduce(0, +) + need > budget {
                if run.inFlight.isEmpty {
                    run.stopReason = .fatal(
                        String(format: "Stopped before exceeding the budget of $%.4f: $%.4f spent, the next module (%@) may need up to $%.4f. Retry with a larger budget_usd (POST …/retry {\"budget_usd\": …}) to continue from here.", budget, run.spent, m.name, need))
                }
                return
            }
            run.queue = run.queue.dropFirst()
            run.inFlight[m.path] = need
            run.started[m.path] = Date()
            let counts = run.counts
            let index = counts.processed + counts.failed + run.inFlight.count
            try check(try lease.objectStarted(
                m.path, progress: ProgressPlan.generating(done: counts.processed + counts.failed, total: counts.total),
                step: ProgressPlan.generatingStep(module: m.name, index: index, total: counts.total)))
            pool.submit { requests.run(m, facts: facts) }
        }
    }

    /// Cancel, SIGTERM or a lost lease: do not wait for answers that may take minutes. A pause waits a moment
    /// for answers about to arrive (their cost is then counted), then abandons the rest too. Requests abandoned
    /// are aborted when the worker exits after writing the final state; their modules stay to be done, and the
    /// next attempt asks again.
    private func stopsWithoutWaiting(_ run: inout LLMRun) -> Bool {
        guard case .stopped(let why)? = run.stopReason else { return false }
        if why != .pause { return true }
        let since = run.pauseSeen ?? Date()
        run.pauseSeen = since
        guard Date().timeIntervalSince(since) > JobRunner.pauseGraceSeconds else { return false }
        try? lease.event(
            kind: "info", level: "warning",
            "Paused with \(run.inFlight.count) modules' requests unanswered; they are asked again on resume")
        return true
    }

    /// Writes what a request thread reported: events, a layer's tokens and cost, a module's page.
    private func record(_ msg: Message, _ run: inout LLMRun, _ ctx: LLMContext) throws {
        let s = ctx.settings
        switch msg {
        case let .waiting(module, seconds):
            try? lease.event(kind: "info", level: "warning", "Rate limited by the LLM API; waiting \(String(format: "%.1f", seconds)) s", object: module)
        case let .notice(module, text):
            try? lease.event(kind: "info", level: "warning", text, object: module)
        case let .layer(module, layer, ok, prompt, completion, ms, note):
            var unknownCount = 0
            if ok { unknownCount = LLMGenerator.check(note, vocabulary: ctx.vocabulary).1.count }
            let cost = Double(prompt) * s.pricePrompt + Double(completion) * s.priceCompletion
            run.spent += cost
            let message = ok
                ? "\(module): \(layer) written (\(prompt + completion) tokens\(unknownCount > 0 ? ", \(unknownCount) unknown names flagged" : ""))"
                : "\(module): \(layer) failed: \(note)"
            _ = try lease.layerFinished(
                module, layer: layer, status: ok ? .done : .failed, promptTokens: prompt, completionTokens: completion,
                costUSD: cost, unverified: unknownCount, durationMs: ms, message: message)
        case let .module(path, sections, failure):
            run.inFlight[path] = nil
            // Stopped before finishing: the object stays to be done by the next attempt.
            guard let m = ctx.byPath[path], sections != nil || failure != nil else { return }
            try finishModule(m, sections: sections, failure: failure, &run, ctx)
        }
    }

    /// A module's page (or the built-in page, marked, when its requests failed) and its object's outcome.
    private func finishModule(
        _ m: Analysis.Module, sections: [(String, String)]?, failure: String?, _ run: inout LLMRun, _ ctx: LLMContext
    ) throws {
        let ms = Int(Date().timeIntervalSince(run.started[m.path] ?? Date()) * 1000)
        var status = ObjectStatus.done
        var note: String? = nil
        if let sections {
            var checked: [(layer: String, text: String)] = []
            var unknown: [String] = []
            for (layer, text) in sections {
                let (t, u) = LLMGenerator.check(text, vocabulary: ctx.vocabulary)
                checked.append((layer, t))
                unknown += u
            }
            let page = LLMGenerator.page(m, ctx.analysis, sections: checked, unknown: unknown, model: ctx.settings.model, at: JobRunner.now())
            try DocsOutput.write(page, to: ctx.out.modulePagePath(m))
            try ctx.out.writeParts(m, ctx.analysis)  // the built-in reference the page ends with may link to parts
            run.counts.processed += 1
        } else {
            // Graceful degradation: the built-in page, marked, and the object counted as failed.
            try DocsOutput.write(
                LLMGenerator.fallbackPage(m, ctx.analysis, reason: failure ?? "unknown error"), to: ctx.out.modulePagePath(m))
            try ctx.out.writeParts(m, ctx.analysis)
            status = .failed
            note = failure
            run.counts.failed += 1
        }
        run.finishedHere += 1
        let remaining = run.queue.count + run.inFlight.count
        let eta = remaining > 0 ? Date().timeIntervalSince(run.t0) / Double(run.finishedHere) * Double(remaining) : nil
        let counts = run.counts
        _ = try lease.objectFinished(
            m.path, status: status, error: note, durationMs: ms, counts: counts,
            progress: ProgressPlan.generating(done: counts.processed + counts.failed, total: counts.total), etaSeconds: eta)
    }
}
