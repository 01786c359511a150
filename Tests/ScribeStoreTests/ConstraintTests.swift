import Foundation
import ScribeCore
@testable import ScribeStore
import ScribeTestSupport
import Testing

/// Invariant 4 of SPEC §2 and the other CHECKs: the database refuses impossible rows whoever writes them.
@Suite("Job constraints", .freshDatabase)
struct ConstraintTests {
    func refused(_ fx: Fixture, _ sql: String, _ id: String) throws -> PGError? {
        do {
            try fx.db.query(sql, [id], name: "t.bad-update")
            return nil
        } catch let e as PGError {
            return e
        }
    }

    @Test("a failed job without error_message is refused")
    func failedNeedsMessage() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let e = try #require(
            try refused(fx, "UPDATE jobs SET status = 'failed', finished_at = now() WHERE id = $1", job.id))
        #expect(e.sqlState == "23514")
        #expect(e.constraint == "jobs_failed_has_error_message")
        #expect(try fx.jobs.get(id: job.id)?.state == .queued)
    }

    @Test(
        "a completed, failed or cancelled job without finished_at is refused",
        arguments: ["completed", "cancelled", "failed"])
    func terminalNeedsFinishedAt(_ status: String) throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let e = try #require(
            try refused(fx, "UPDATE jobs SET status = '\(status)', error_message = 'x' WHERE id = $1", job.id))
        #expect(e.sqlState == "23514")
        #expect(e.constraint == "jobs_terminal_has_finished_at")
    }

    @Test("an active job with finished_at is refused")
    func activeHasNoFinishedAt() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        #expect(
            try refused(fx, "UPDATE jobs SET finished_at = now() WHERE id = $1", job.id)?.constraint
                == "jobs_terminal_has_finished_at")
    }

    @Test("a running job without a lease is refused")
    func runningNeedsLease() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        #expect(
            try refused(fx, "UPDATE jobs SET status = 'running', heartbeat_at = now() WHERE id = $1", job.id)?
                .constraint
                == "jobs_running_has_lease")
    }

    @Test("progress outside 0…100 and unknown states are refused")
    func ranges() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        #expect(try refused(fx, "UPDATE jobs SET progress = 101 WHERE id = $1", job.id)?.sqlState == "23514")
        #expect(try refused(fx, "UPDATE jobs SET progress = -1 WHERE id = $1", job.id)?.sqlState == "23514")
        #expect(try refused(fx, "UPDATE jobs SET status = 'done' WHERE id = $1", job.id)?.sqlState == "23514")
        #expect(try refused(fx, "UPDATE jobs SET max_attempts = 0 WHERE id = $1", job.id)?.sqlState == "23514")
    }

    @Test("the valid terminal rows are accepted")
    func validRows() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        try fx.db.query(
            "UPDATE jobs SET status = 'failed', finished_at = now(), error_message = 'boom' WHERE id = $1", [job.id],
            name: "t.ok")
        #expect(try fx.jobs.get(id: job.id)?.state == .failed)
    }
}
