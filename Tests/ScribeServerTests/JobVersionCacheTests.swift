import Testing

@testable import ScribeServer

/// The version cache and the rendered copies it keeps for the poll.
@Suite struct JobVersionCacheTests {
    typealias Entry = JobVersionCache.Entry

    func connected(maxBytes: Int = 1 << 20) -> JobVersionCache {
        let c = JobVersionCache(maxRenderedBytes: maxBytes)
        c.setConnected(true)
        return c
    }

    @Test func aRenderedCopyIsServedOnlyForTheLatestVersion() {
        let c = connected()
        c.store("j", Entry(version: 3, organisationID: "o", rendered: Array("v3".utf8)), readInGeneration: c.currentGeneration)
        #expect(c.lookup("j")?.rendered == Array("v3".utf8))
        c.notified("j", Entry(version: 4, organisationID: "o"))
        #expect(c.lookup("j")?.version == 4)
        #expect(c.lookup("j")?.rendered == nil)
        // A request that read version 3 before the NOTIFY of 4 arrived cannot put it back.
        c.store("j", Entry(version: 3, organisationID: "o", rendered: Array("v3".utf8)), readInGeneration: c.currentGeneration)
        #expect(c.lookup("j")?.version == 4 && c.lookup("j")?.rendered == nil)
        c.store("j", Entry(version: 4, organisationID: "o", rendered: Array("v4".utf8)), readInGeneration: c.currentGeneration)
        #expect(c.lookup("j")?.rendered == Array("v4".utf8))
        #expect(c.bytesRendered == 2)
    }

    @Test func nothingIsTrustedWhileTheListenerIsDown() {
        let c = connected()
        let before = c.currentGeneration
        c.store("j", Entry(version: 1, organisationID: "o", rendered: [1]), readInGeneration: before)
        c.setConnected(false)
        #expect(c.lookup("j") == nil)
        c.setConnected(true)
        #expect(c.lookup("j") == nil)
        // A read that began before the reconnection is not stored.
        c.store("j", Entry(version: 1, organisationID: "o", rendered: [1]), readInGeneration: before)
        #expect(c.lookup("j") == nil)
        #expect(c.bytesRendered == 0)
    }

    @Test func renderedCopiesStayWithinTheirBoundOldestFirst() {
        let c = connected(maxBytes: 1000)
        for i in 0..<50 {
            c.store("j\(i)", Entry(version: 1, organisationID: "o", rendered: [UInt8](repeating: 1, count: 100)), readInGeneration: c.currentGeneration)
            #expect(c.bytesRendered <= 1000)
        }
        #expect(c.lookup("j0")?.rendered == nil)
        #expect(c.lookup("j49")?.rendered != nil)
        #expect(c.lookup("j0")?.version == 1)  // the version itself is kept: the 304 still works
        // One answer over a quarter of the bound is never kept.
        c.store("big", Entry(version: 1, organisationID: "o", rendered: [UInt8](repeating: 1, count: 400)), readInGeneration: c.currentGeneration)
        #expect(c.lookup("big")?.rendered == nil)
    }
}
