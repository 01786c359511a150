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
        let org = try AccountStore(lease.db).llmSettings(organisationID: organisationID)
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

    private final class Shared: @unchecked Sendable {
        let lock = NSLock()
        let ready = DispatchSemaphore(value: 0)
        var results: [Message] = []
        var stop = false
        var fatal: String? = nil
        /// The provider key's limits, shared by every request thread (SCRIBE_LLM_MAX_RPM per worker).
        let limiter: RateLimiter

        init(limiter: RateLimiter) {
            self.limiter = limiter
        }

        func post(_ m: Message) {
            lock.lock()
            results.append(m)
            lock.unlock()
            ready.signal()
        }

        func take() -> [Message] {
            lock.lock()
            defer { lock.unlock() }
            let r = results
            results.removeAll()
            return r
        }

        var stopping: Bool { lock.lock(); defer { lock.unlock() }; return stop }
        /// Read under the lock: request threads set it.
        var fatalMessage: String? { lock.lock(); defer { lock.unlock() }; return fatal }
    }

    private enum Message {
        case layer(module: String, layer: String, ok: Bool, prompt: Int, completion: Int, ms: Int, note: String)
        case waiting(module: String, seconds: Double)
        case notice(module: String, text: String)
        case module(module: String, sections: [(String, String)]?, failure: String?)
    }

    func generateWithLLM(
        _ modules: [Analysis.Module], _ analysis: Analysis, _ out: DocsOutput, todo: [Analysis.Module],
        counts startCounts: LeaseStore.Counts, settings s: LLMSettings, budget: Double?
    ) throws {
        var counts = startCounts
        let gen = LLMGenerator()
        let vocabulary = LLMGenerator.vocabulary(analysis)
        let facts = Dictionary(uniqueKeysWithValues: todo.map { ($0.path, gen.facts($0, analysis)) })
        let shared = Shared(limiter: RateLimiter(maxPerMinute: config.llmMaxRequestsPerMinute))
        let byPath = Dictionary(uniqueKeysWithValues: todo.map { ($0.path, $0) })
        var queue = todo[...]
        var inFlight: [String: Double] = [:]  // module -> its worst-case cost, reserved while it runs
        var spent = try lease.costSoFar()
        var started: [String: Date] = [:]
        let t0 = Date()
        var finishedHere = 0
        var stopReason: PipelineError? = nil
        var pauseSeen: Date? = nil
        let maxRetries = config.llmMaxRetries
        let backoff = self.backoff
        let control = self.control

        func launch(_ m: Analysis.Module) {
            let f = facts[m.path]!
            let t = Thread {
                var sections: [(String, String)] = []
                for layer in LLMGenerator.layers {
                    var attempt = 0
                    while true {
                        // Cancel and pause act between requests.
                        let c = control.current
                        if shared.stopping || c.signals.cancelRequested || c.signals.leaseLost || c.terminated {
                            shared.post(.module(module: m.path, sections: nil, failure: nil))
                            return
                        }
                        // Wait out a rate limit (shared by all threads) and the requests-per-minute cap.
                        let wait = shared.limiter.reserve()
                        if wait > 0 {
                            Thread.sleep(forTimeInterval: min(wait, 0.2))
                            continue
                        }
                        let r0 = Date()
                        do {
                            let c = try s.client.complete(system: LLMGenerator.system, user: gen.prompt(layer, facts: f))
                            let ms = Int(Date().timeIntervalSince(r0) * 1000)
                            sections.append((layer, c.text))
                            if c.truncated {
                                shared.post(.notice(module: m.path, text: "\(m.path): the \(layer) answer was cut at \(s.client.maxTokens) tokens (finish_reason: length)"))
                            }
                            if !c.usageReported {
                                shared.post(.notice(module: m.path, text: "\(m.path): the LLM API reported no usage for \(layer); \(c.promptTokens + c.completionTokens) tokens counted from the text"))
                            }
                            shared.post(.layer(module: m.path, layer: layer, ok: true, prompt: c.promptTokens, completion: c.completionTokens, ms: ms, note: c.text))
                            break
                        } catch let e as LLMClient.Failure {
                            let ms = Int(Date().timeIntervalSince(r0) * 1000)
                            if e.isFatal {
                                shared.lock.lock()
                                if case .refused(let why) = e {
                                    shared.fatal = "The LLM endpoint was not contacted: \(why)"
                                } else if e == .quotaExhausted {
                                    shared.fatal = "The LLM account's quota is exhausted (429 insufficient_quota). Add credit to the provider's account, then retry."
                                } else {
                                    shared.fatal = "The LLM API refused the key (401). Check the organisation's LLM key."
                                }
                                shared.stop = true
                                shared.lock.unlock()
                                shared.post(.module(module: m.path, sections: nil, failure: nil))
                                return
                            }
                            if case .rateLimited(let after) = e {
                                // 429: wait for Retry-After (else backoff with jitter) and retry the same request.
                                let w = after ?? backoff.delay(attempt: attempt + 1)
                                shared.limiter.block(for: w)
                                shared.post(.waiting(module: m.path, seconds: w))
                                attempt += 1
                                if attempt > 50 {
                                    shared.post(.layer(module: m.path, layer: layer, ok: false, prompt: 0, completion: 0, ms: ms, note: e.description))
                                    shared.post(.module(module: m.path, sections: nil, failure: e.description))
                                    return
                                }
                                continue
                            }
                            attempt += 1
                            if e.isRetryable && attempt <= maxRetries {
                                shared.post(.layer(module: m.path, layer: layer, ok: false, prompt: 0, completion: 0, ms: ms, note: "\(e.description); retrying"))
                                Thread.sleep(forTimeInterval: backoff.delay(attempt: attempt))
                                continue
                            }
                            shared.post(.layer(module: m.path, layer: layer, ok: false, prompt: 0, completion: 0, ms: ms, note: e.description))
                            shared.post(.module(module: m.path, sections: nil, failure: e.description))
                            return
                        } catch {
                            shared.post(.module(module: m.path, sections: nil, failure: "\(error)"))
                            return
                        }
                    }
                }
                shared.post(.module(module: m.path, sections: sections, failure: nil))
            }
            t.name = "llm-\(m.pageName)"
            t.start()
        }

        while true {
            // Start modules while there is room, no stop, and the budget allows their worst case.
            if stopReason == nil && shared.fatalMessage == nil {
                do { try check(allowPause: true) } catch let e as PipelineError { stopReason = e }
            }
            while stopReason == nil && shared.fatalMessage == nil && inFlight.count < config.llmConcurrency, let m = queue.first {
                let need = worstCase(facts[m.path]!, s)
                if let budget, spent + inFlight.values.reduce(0, +) + need > budget {
                    if inFlight.isEmpty {
                        stopReason = .fatal(
                            String(format: "Stopped before exceeding the budget of $%.4f: $%.4f spent, the next module (%@) may need up to $%.4f. Retry with a larger budget_usd (POST …/retry {\"budget_usd\": …}) to continue from here.", budget, spent, m.name, need))
                    }
                    break
                }
                queue = queue.dropFirst()
                inFlight[m.path] = need
                started[m.path] = Date()
                let index = counts.processed + counts.failed + inFlight.count
                try check(try lease.objectStarted(
                    m.path, progress: ProgressPlan.generating(done: counts.processed + counts.failed, total: counts.total),
                    step: ProgressPlan.generatingStep(module: m.name, index: index, total: counts.total)))
                launch(m)
            }
            if inFlight.isEmpty && (queue.isEmpty || stopReason != nil || shared.fatalMessage != nil) { break }
            // Cancel, SIGTERM or a lost lease: do not wait for answers that may take minutes. A pause waits a
            // moment for answers about to arrive (their cost is then counted), then abandons the rest too. Requests
            // abandoned are aborted when the worker exits after writing the final state; their modules stay to
            // be done, and the next attempt asks again.
            if case .stopped(let why)? = stopReason {
                if why != .pause { break }
                let since = pauseSeen ?? Date()
                pauseSeen = since
                if Date().timeIntervalSince(since) > JobRunner.pauseGraceSeconds {
                    try? lease.event(
                        kind: "info", level: "warning",
                        "Paused with \(inFlight.count) modules' requests unanswered; they are asked again on resume")
                    break
                }
            }
            if stopReason != nil || shared.fatalMessage != nil {
                shared.lock.lock()
                shared.stop = true
                shared.lock.unlock()
            }
            _ = shared.ready.wait(timeout: .now() + 0.2)
            for msg in shared.take() {
                switch msg {
                case let .waiting(module, seconds):
                    try? lease.event(kind: "info", level: "warning", "Rate limited by the LLM API; waiting \(String(format: "%.1f", seconds)) s", object: module)
                case let .notice(module, text):
                    try? lease.event(kind: "info", level: "warning", text, object: module)
                case let .layer(module, layer, ok, prompt, completion, ms, note):
                    var unknownCount = 0
                    if ok { unknownCount = LLMGenerator.check(note, vocabulary: vocabulary).1.count }
                    let cost = Double(prompt) * s.pricePrompt + Double(completion) * s.priceCompletion
                    spent += cost
                    let message = ok
                        ? "\(module): \(layer) written (\(prompt + completion) tokens\(unknownCount > 0 ? ", \(unknownCount) unknown names flagged" : ""))"
                        : "\(module): \(layer) failed: \(note)"
                    _ = try lease.layerFinished(
                        module, layer: layer, status: ok ? "done" : "failed", promptTokens: prompt, completionTokens: completion,
                        costUSD: cost, unverified: unknownCount, durationMs: ms, message: message)
                case let .module(path, sections, failure):
                    inFlight[path] = nil
                    guard let m = byPath[path] else { continue }
                    let ms = Int(Date().timeIntervalSince(started[path] ?? Date()) * 1000)
                    if sections == nil && failure == nil {
                        // Stopped before finishing: the object stays to be done by the next attempt.
                        continue
                    }
                    var status = "done"
                    var note: String? = nil
                    if let sections {
                        var checked: [(layer: String, text: String)] = []
                        var unknown: [String] = []
                        for (layer, text) in sections {
                            let (t, u) = LLMGenerator.check(text, vocabulary: vocabulary)
                            checked.append((layer, t))
                            unknown += u
                        }
                        let page = LLMGenerator.page(m, analysis, sections: checked, unknown: unknown, model: s.model, at: JobRunner.now())
                        try DocsOutput.write(page, to: out.modulePagePath(m))
                        try out.writeParts(m, analysis)  // the built-in reference the page ends with may link to parts
                        counts.processed += 1
                    } else {
                        // Graceful degradation: the built-in page, marked, and the object counted as failed.
                        try DocsOutput.write(LLMGenerator.fallbackPage(m, analysis, reason: failure ?? "unknown error"), to: out.modulePagePath(m))
                        try out.writeParts(m, analysis)
                        status = "failed"
                        note = failure
                        counts.failed += 1
                    }
                    finishedHere += 1
                    let remaining = queue.count + inFlight.count
                    let eta = remaining > 0 ? Date().timeIntervalSince(t0) / Double(finishedHere) * Double(remaining) : nil
                    _ = try lease.objectFinished(
                        path, status: status, error: note, durationMs: ms, counts: counts,
                        progress: ProgressPlan.generating(done: counts.processed + counts.failed, total: counts.total), etaSeconds: eta)
                }
            }
        }
        if let fatal = shared.fatalMessage { throw PipelineError.fatal(fatal) }
        if let stopReason { throw stopReason }
        try check(allowPause: true)
    }
}
