import Foundation
import Logging
import ScribeCore

public enum LogSetup {
    /// Executables choose the destination (stderr) and level; libraries only take a Logger.
    public static func bootstrap(label: String, level: String) -> Logger {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        return logger
    }
}
