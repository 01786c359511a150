import ArgumentParser
import Foundation
import Logging
import ScribeCore
import ScribeCrypto
import ScribeQueue
import ScribeStore

/// `scribe gc`: retention and this host's housekeeping, as the dispatchers run it every `SCRIBE_GC_SECONDS`.
struct GC: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove the pages of old documentation versions and this host's leftovers.",
        discussion: """
            Per repository, the pages of the SCRIBE_KEEP_VERSIONS newest completed jobs and of the job the repository \
            points at are kept; older ones leave the database. Then this host's page cache loses the files of \
            contents that are gone, and the work folders of finished jobs and imported job folders are removed. \
            Run it on each host (every dispatcher also does, every SCRIBE_GC_SECONDS).
            """)

    func run() throws {
        let (config, db) = try CLI.connect()
        let (logger, _) = try CLI.startLogging(label: "scribe-gc", level: "warning")
        let r = try Retention(config: config, logger: logger).run(db)
        print(
            "removed the pages of \(r.prunedJobs) job(s) (\(r.removedContents) contents), \(r.cacheFiles) cached file(s), "
                + "\(r.workFolders) work folder(s), \(r.oldFolders) imported job folder(s), \(r.webhookDeliveries) webhook delivery record(s); "
                + "kept \(config.keepVersions) "
                + "version(s) per repository")
    }
}

/// `scribe pages import|export`: pages written before they moved into the database, and copies out of it.
struct Pages: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move pages between the data folder and the database.", subcommands: [Import.self, Export.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the pages of earlier releases (SCRIBE_DATA_DIR/docs/<repository>/<job>/) in the database.",
            discussion: """
                Run once after upgrading, on each host that wrote pages. Safe to run again: pages already in the \
                database are skipped. The folders stay until `scribe gc` removes the imported ones.
                """)

        func run() throws {
            let (config, db) = try CLI.connect()
            let store = PageStore(db)
            var pages = 0
            var folders = 0
            var missing = 0
            for folder in try store.legacyFolders() {
                let dir = "\(config.dataDir)/docs/\(folder)"
                guard FileManager.default.fileExists(atPath: dir) else { continue }
                var contents: [String: PageStore.Content] = [:]
                for path in try store.legacyPages(docsPath: folder) {
                    guard PagePath.normalise(path) == path, let data = FileManager.default.contents(atPath: "\(dir)/\(path)") else {
                        missing += 1
                        continue
                    }
                    let bytes = Array(data)
                    contents[path] = PageStore.Content(hash: Secrets.hex(Secrets.sha256(bytes)), bytes: bytes)
                }
                guard !contents.isEmpty else { continue }
                pages += try store.attach(docsPath: folder, contents: contents)
                folders += 1
            }
            print("imported \(pages) page(s) of \(folders) folder(s)" + (missing > 0 ? "; \(missing) page(s) not found on this host" : ""))
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the pages of a job (as stored in the database) into a folder.")
        @Argument(help: "The job's id.") var job: String
        @Option(help: "The folder to write into (created if missing).") var out: String

        func run() throws {
            let (_, db) = try CLI.connect()
            guard Router.isUUID(job) else { throw CLI.fail("no job with id \(job)") }
            let store = PageStore(db)
            let entries = try store.entries(jobID: job.lowercased())
            guard !entries.isEmpty else { throw CLI.fail("job \(job) has no pages in the database") }
            var written = 0
            for e in entries {
                // The index only holds paths of the page rule, but a path is checked before it names a file.
                guard PagePath.normalise(e.path) == e.path, let hash = e.hash, let bytes = try store.content(hash: hash) else { continue }
                let target = "\(out)/\(e.path)"
                do {
                    try FileManager.default.createDirectory(
                        atPath: URL(fileURLWithPath: target).deletingLastPathComponent().path, withIntermediateDirectories: true)
                    try Data(bytes).write(to: URL(fileURLWithPath: target))
                } catch {
                    throw CLI.fail(CLI.describe(error))
                }
                written += 1
            }
            print("wrote \(written) of \(entries.count) page(s) to \(out)")
        }
    }
}
