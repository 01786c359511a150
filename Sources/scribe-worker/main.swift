import Foundation
import Logging
import ScribeCore
import ScribePipeline
import ScribeStore

if ScribeVersion.isRequested(by: CommandLine.arguments) {
    print("scribe-worker \(ScribeVersion.string)")
    exit(0)
}

// scribe-worker JOB_ID — started by a dispatcher, with the lease token in SCRIBE_LEASE_TOKEN.
let args = CommandLine.arguments
let env = ProcessInfo.processInfo.environment
guard args.count == 2, let lease = env["SCRIBE_LEASE_TOKEN"], !lease.isEmpty else {
    FileHandle.standardError.write(Data("usage: scribe-worker JOB_ID (started by the dispatcher, with SCRIBE_LEASE_TOKEN set)\n".utf8))
    exit(64)
}
let config: Config
let logSink: LogSink
do {
    config = try Config.fromEnvironment()
    // A worker logs to its standard error, which the dispatcher points at the job's own log file
    // (`$SCRIBE_DATA_DIR/logs/worker-<job>.log`), never at SCRIBE_LOG_FILE; it keeps SCRIBE_LOG_FORMAT.
    logSink = try LogSink.fromEnvironment(useFile: false)
} catch {
    FileHandle.standardError.write(Data("scribe-worker: configuration error: \(error)\n".utf8))
    exit(78)
}
LoggingSystem.bootstrap(logSink.handler)
let logger = LogSink.logger(label: "scribe-worker", level: config.logLevel)
logger.info("worker starting", metadata: ["job.id": "\(args[1])", "version": "\(ScribeVersion.string)"])
// Refuse to run a job against a schema this build's queries do not match; the dispatcher requeues it.
if let status = try? SchemaCheck.status(of: try Connection(url: config.databaseURL, applicationName: "scribe-worker")),
    !status.isCurrent
{
    logger.critical("\(SchemaCheck.refusal(program: "scribe-worker", status))")
    exit(78)
}
let started = Date()
do {
    let runner = try JobRunner(
        config: config, jobID: args[1], leaseToken: lease, attempt: Int(env["SCRIBE_JOB_ATTEMPT"] ?? "") ?? 1, logger: logger)
    let outcome = runner.run()
    logger.info(
        "worker finished",
        metadata: ["job.id": "\(args[1])", "outcome": "\(outcome)", "duration_s": "\(String(format: "%.2f", Date().timeIntervalSince(started)))"])
    exit(outcome.rawValue)
} catch {
    logger.error("cannot start the job", metadata: ["error": "\(error)"])
    exit(4)
}
