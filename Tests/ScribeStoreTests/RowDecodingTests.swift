import Foundation
import ScribeCore
@testable import ScribeStore
import ScribeTestSupport
import Testing

/// Rows decode into types: a status the code does not know, or a missing id, is an error, never a default.
@Suite("Row decoding", .freshDatabase)
struct RowDecodingTests {
    /// A real job row, with one column's value replaced.
    func jobRow(_ fx: Fixture, replacing column: String, with value: String?) throws -> Row {
        let job = try fx.queuedJob()
        let row = try #require(
            try fx.db.query("SELECT \(JobStore.columns()) FROM jobs WHERE id = $1", [job.id], name: "t.row").first)
        let i = try #require(row.columns.firstIndex(of: column))
        var values = row.values
        values[i] = value
        return Row(columns: row.columns, values: values)
    }

    @Test("a job row decodes with its typed status")
    func decodes() throws {
        let fx = try Fixture()
        let job = try JobStore.job(try jobRow(fx, replacing: "status", with: "paused"))
        #expect(job.state == .paused)
    }

    @Test("an unknown status is an error that names the column and the value")
    func unknownStatus() throws {
        let fx = try Fixture()
        let row = try jobRow(fx, replacing: "status", with: "exploded")
        let error = try #require(throws: RowDecodingError.self) { try JobStore.job(row) }
        #expect(error.description == "unknown value 'exploded' in column status")
    }

    @Test("a missing id or status is an error, not an empty string")
    func missingColumns() throws {
        let fx = try Fixture()
        #expect(throws: RowDecodingError.self) { try JobStore.job(try jobRow(fx, replacing: "id", with: nil)) }
        #expect(throws: RowDecodingError.self) { try JobStore.job(try jobRow(fx, replacing: "status", with: nil)) }
    }
}
