import Foundation
import Logging
import Testing

@testable import ScribeCore

@Suite("Log output")
struct LogOutputTests {
    private func tempFile() -> String {
        NSTemporaryDirectory() + "scribe-log-\(UUID().uuidString).log"
    }

    @Test("JSON lines carry time, level, label, message and the metadata")
    func json() throws {
        let path = tempFile()
        defer { unlink(path) }
        let sink = try LogSink(path: path, format: .json)
        var handler = SinkLogHandler(label: "scribe-fcgi", sink: sink)
        handler.metadata = ["job.id": "j1"]
        handler.log(
            level: .warning, message: "worker lost", metadata: ["http.status": "503"], source: "", file: "", function: "",
            line: 0)
        let line = try String(contentsOfFile: path, encoding: .utf8)
        let v = try JSONValue.parse(Array(line.utf8))
        #expect(v["level"] == .string("warning"))
        #expect(v["label"] == .string("scribe-fcgi"))
        #expect(v["message"] == .string("worker lost"))
        #expect(v["job.id"] == .string("j1"))
        #expect(v["http.status"] == .string("503"))
        #expect(v["time"]?.stringValue?.hasSuffix("Z") == true)
        #expect(line.hasSuffix("\n") && line.filter { $0 == "\n" }.count == 1)
    }

    @Test("reopen writes to a new file under the same name after the old one was moved")
    func reopen() throws {
        let path = tempFile()
        let moved = path + ".1"
        defer { unlink(path); unlink(moved) }
        let sink = try LogSink(path: path, format: .text)
        let handler = SinkLogHandler(label: "t", sink: sink)
        handler.log(level: .info, message: "before", metadata: nil, source: "", file: "", function: "", line: 0)
        #expect(rename(path, moved) == 0)
        #expect(sink.reopen())
        handler.log(level: .info, message: "after", metadata: nil, source: "", file: "", function: "", line: 0)
        #expect(try String(contentsOfFile: moved, encoding: .utf8).contains("info t: before"))
        let now = try String(contentsOfFile: path, encoding: .utf8)
        #expect(now.contains("info t: after") && !now.contains("before"))
    }

    @Test("an unknown SCRIBE_LOG_FORMAT names its variable")
    func badFormat() {
        #expect(throws: ConfigError.self) { try LogSink.fromEnvironment(["SCRIBE_LOG_FORMAT": "xml"]) }
    }
}
