import Foundation
import ScribeCore
@testable import ScribeStore
import ScribeTestSupport
import Testing

/// The job channel has one owner: what the database trigger sends is what the listeners read.
@Suite("Job channel", .freshDatabase)
struct JobChannelTests {
    @Test("a new job and each change reach a listener as typed changes, from the trigger's own payload")
    func triggerPayloadParses() throws {
        let fx = try Fixture()
        let listener = try JobChangeListener(url: fx.database.url, applicationName: "channel test")
        let job = try fx.queuedJob()
        let created = try changes(listener, of: job.id, atLeast: 1)
        let org = try #require(try fx.value("SELECT organisation_id::text AS v FROM jobs WHERE id = $1", [job.id]))
        #expect(created.first == JobChannel.Change(jobID: job.id, version: 1, status: "queued", organisationID: org))

        _ = try #require(try fx.jobs.request(.cancel, id: job.id, organisationID: org))
        let cancelled = try changes(listener, of: job.id, atLeast: 1)
        #expect(cancelled.last?.status == "cancelled")
        #expect(cancelled.last?.version == 2)
    }

    @Test("payloads that are not a job change are ignored, not misread")
    func foreignPayloads() {
        #expect(JobChannel.parse("") == nil)
        #expect(JobChannel.parse("a-job 1 queued") == nil)
        #expect(JobChannel.parse("a-job one queued org") == nil)
        #expect(JobChannel.parse("a-job 1 queued org extra") == nil)
        #expect(
            JobChannel.parse("a-job 7 running org")
                == JobChannel.Change(jobID: "a-job", version: 7, status: "running", organisationID: "org"))
    }

    func changes(_ l: JobChangeListener, of id: String, atLeast n: Int) throws -> [JobChannel.Change] {
        var seen: [JobChannel.Change] = []
        let deadline = Date().addingTimeInterval(10)
        while seen.count < n && Date() < deadline {
            l.wait(timeoutSeconds: 0.5)
            seen += try l.changes().filter { $0.jobID == id }
        }
        return seen
    }
}
