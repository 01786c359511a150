import Foundation
import Logging
import ScribeCore
import ScribeQueue
import ScribeServer
import ScribeStore

if ScribeVersion.isRequested(by: CommandLine.arguments) {
    print("scribe-fcgi \(ScribeVersion.string)")
    exit(0)
}

// Signals are blocked before any thread starts, so that only the main thread's sigwait receives them.
StopSignals.block()

let config: Config
let logSink: LogSink
do {
    config = try Config.fromEnvironment()
    logSink = try LogSink.fromEnvironment()
} catch {
    FileHandle.standardError.write(Data("scribe-fcgi: configuration error: \(error)\n".utf8))
    exit(78)  // EX_CONFIG
}
LoggingSystem.bootstrap(logSink.handler)
let logger = LogSink.logger(label: "scribe-fcgi", level: config.logLevel)

// A database whose migrations are behind would fail request after request: refuse to start instead.
// An unreachable database is not a reason to refuse (it answers 503 until the database is back).
do {
    let status = try SchemaCheck.status(of: try Connection(url: config.databaseURL, applicationName: "scribe-fcgi"))
    if !status.isCurrent {
        let message = SchemaCheck.refusal(program: "scribe-fcgi", status)
        logger.critical("\(message)")
        if logSink.path != nil { FileHandle.standardError.write(Data("\(message)\n".utf8)) }
        exit(78)
    }
} catch {
    logger.warning("cannot check the database schema at start", metadata: ["error": "\(error)"])
}

let api = API(config: config, threads: config.fcgiThreads, logger: logger)
api.requestLog = ["1", "true", "yes", "on"].contains((ProcessInfo.processInfo.environment["SCRIBE_REQUEST_LOG"] ?? "").lowercased())
api.startListener()
if config.dispatcherEnabled && config.maxWorkers > 0 {
    let launcher = WorkerLauncher(workerPath: WorkerLauncher.defaultWorkerPath(config: config), logDir: config.dataDir + "/logs")
    api.startDispatcher(launcher: launcher)
}
do {
    let server = FastCGIServer(socketPath: config.socketPath, threads: config.fcgiThreads, maxBody: config.maxBodyBytes,
        backlog: config.listenBacklog, logger: logger)
    server.onHangup = {
        if logSink.reopen() {
            logger.info("log file reopened", metadata: ["version": "\(ScribeVersion.string)"])
        } else {
            logger.error("cannot reopen the log file; still writing to the old one", metadata: ["file": "\(logSink.path ?? "")"])
        }
    }
    try server.run { request, thread in api.handle(request, thread: thread) }
} catch {
    logger.critical("cannot serve", metadata: ["error": "\(error)"])
    exit(1)
}
exit(0)
