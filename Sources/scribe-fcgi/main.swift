import Foundation
import ScribeCore
import ScribeServer

// Signals are blocked before any thread starts, so that only the main thread's sigwait receives them.
FastCGIServer.blockSignals()

let config: Config
do {
    config = try Config.fromEnvironment()
} catch {
    FileHandle.standardError.write(Data("scribe-fcgi: configuration error: \(error)\n".utf8))
    exit(78)  // EX_CONFIG
}
let logger = LogSetup.bootstrap(label: "scribe-fcgi", level: config.logLevel)
let api = API(config: config, threads: config.fcgiThreads, logger: logger)
api.startListener()
if config.dispatcherEnabled && config.maxWorkers > 0 {
    let launcher = WorkerLauncher(workerPath: WorkerLauncher.defaultWorkerPath(config: config), logDir: config.dataDir + "/logs")
    api.startDispatcher(launcher: launcher)
}
do {
    try FastCGIServer(
        socketPath: config.socketPath, threads: config.fcgiThreads, maxBody: config.maxBodyBytes, backlog: config.listenBacklog,
        logger: logger)
        .run { request, thread in api.handle(request, thread: thread) }
} catch {
    logger.critical("cannot serve", metadata: ["error": "\(error)"])
    exit(1)
}
exit(0)
