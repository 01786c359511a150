import Foundation
import Testing

@testable import ScribeCore
@testable import ScribePipeline

/// True while a live process of the group exists. Read from /proc rather than with kill(-pgid, 0): a killed
/// grandchild stays a zombie until whoever adopted it reaps it, and a zombie runs nothing.
private func groupAlive(_ pgid: pid_t) -> Bool {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return false }
    for e in entries where pid_t(e) != nil {
        guard let data = FileManager.default.contents(atPath: "/proc/\(e)/stat") else { continue }
        // "pid (comm) state ppid pgrp …": the fields after the last ')'.
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { continue }
        let fields = text[text.index(after: close)...].split(separator: " ")
        if fields.count > 2, fields[0] != "Z", pid_t(fields[2]) == pgid { return true }
    }
    return false
}

/// The pid of the first process whose command line contains `marker`, found in /proc.
private func pid(withArgument marker: String) -> pid_t? {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
    for e in entries {
        guard let p = pid_t(e), let data = FileManager.default.contents(atPath: "/proc/\(e)/cmdline") else { continue }
        if String(decoding: data, as: UTF8.self).contains(marker) { return p }
    }
    return nil
}

@Suite struct StopSwitchTests {
    @Test func aTripKillsTheWholeGroupOfARunningToolAtOnce() throws {
        let stop = StopSwitch()
        let marker = "scribe-stop-\(UUID().uuidString)"
        // A shell that starts a grandchild: both must go, the grandchild too.
        let started = Date()
        let box = Locked<Subprocess.Result?>(nil)
        let t = Thread {
            let r = try? Subprocess.run(
                "sh", ["-c", "sleep 30 & sleep 31; : \(marker)"], env: ["PATH": "/usr/bin:/bin"], timeout: 60, stop: stop)
            box.withLock { $0 = r }
        }
        t.start()
        var leader: pid_t? = nil
        let deadline = Date().addingTimeInterval(5)
        while leader == nil && Date() < deadline {
            leader = pid(withArgument: marker)
            usleep(20_000)
        }
        let group = try #require(leader)
        usleep(100_000)  // let the shell start its sleeps
        #expect(groupAlive(group))
        let tripped = Date()
        stop.trip("cancel requested")
        while box.current == nil && Date().timeIntervalSince(tripped) < 5 { usleep(10_000) }
        let result = try #require(box.current)
        #expect(Date().timeIntervalSince(tripped) < 1, "the tool should stop within a second of the trip")
        #expect(result.stoppedReason == "cancel requested")
        #expect(!result.succeeded)
        #expect(Date().timeIntervalSince(started) < 10)
        usleep(50_000)
        #expect(!groupAlive(group), "no process of the tool's group is left")
    }

    @Test func aTrippedSwitchStartsNoTool() throws {
        let stop = StopSwitch()
        stop.trip("pause requested")
        stop.trip("cancel requested")
        #expect(stop.reason == "pause requested", "the first reason is kept")
        let file = NSTemporaryDirectory() + "scribe-stop-\(UUID().uuidString)"
        let r = try Subprocess.run("touch", [file], env: ["PATH": "/usr/bin:/bin"], timeout: 10, stop: stop)
        #expect(r.stoppedReason == "pause requested")
        #expect(!FileManager.default.fileExists(atPath: file), "the tool never ran")
    }

    @Test func anUntrippedSwitchLeavesToolsAlone() throws {
        let stop = StopSwitch()
        let r = try Subprocess.run("sh", ["-c", "sleep 0.3; echo done"], env: ["PATH": "/usr/bin:/bin"], timeout: 10, stop: stop)
        #expect(r.succeeded)
        #expect(r.stdoutText == "done\n")
        #expect(!stop.isTripped)
    }
}
