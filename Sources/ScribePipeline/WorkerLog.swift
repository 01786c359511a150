import Logging

public enum WorkerLog {
    public static func bootstrap(level: String) -> Logger {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "scribe-worker")
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        return logger
    }
}
