import Foundation
import Logging
import ScribeCore

public enum WorkerLog {
    /// A worker logs to its standard error, which the dispatcher points at the job's own log file
    /// (`$SCRIBE_DATA_DIR/logs/worker-<job>.log`), never at SCRIBE_LOG_FILE; it keeps SCRIBE_LOG_FORMAT.
    public static func bootstrap(level: String) -> Logger {
        let sink: LogSink
        do {
            sink = try LogSink.fromEnvironment(useFile: false)
        } catch {
            FileHandle.standardError.write(Data("scribe-worker: configuration error: \(error)\n".utf8))
            exit(78)  // EX_CONFIG
        }
        return sink.bootstrap(label: "scribe-worker", level: level)
    }
}
