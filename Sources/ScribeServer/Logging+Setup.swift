import Foundation
import Logging
import ScribeCore

public enum LogSetup {
    /// Executables choose the destination and level; libraries only take a Logger. The destination is
    /// standard error, or SCRIBE_LOG_FILE; the format SCRIBE_LOG_FORMAT (text or json). Returns the sink too,
    /// so that SIGHUP can reopen the file.
    public static func bootstrap(label: String, level: String) -> (Logger, LogSink) {
        let sink: LogSink
        do {
            sink = try LogSink.fromEnvironment()
        } catch {
            FileHandle.standardError.write(Data("\(label): configuration error: \(error)\n".utf8))
            exit(78)  // EX_CONFIG
        }
        return (sink.bootstrap(label: label, level: level), sink)
    }
}
