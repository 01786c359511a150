import Foundation
import Testing

@testable import ScribeCore

@Suite("Config")
struct ConfigTests {
    static let base = ["DATABASE_URL": "postgresql://scribe@/scribe?host=/run/postgresql"]

    func env(_ extra: [String: String]) -> [String: String] { Self.base.merging(extra) { _, b in b } }

    /// The variable a configuration error names, or nil when the environment is accepted.
    func failure(_ env: [String: String]) -> ConfigError? {
        do {
            _ = try Config.fromEnvironment(env)
            return nil
        } catch let e as ConfigError {
            return e
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("a missing DATABASE_URL stops with a message that names it")
    func missingDatabaseURL() throws {
        let e = try #require(failure([:]))
        #expect(e.variable == "DATABASE_URL")
        #expect(e.description.hasPrefix("DATABASE_URL:"))
        #expect(failure(["DATABASE_URL": ""])?.variable == "DATABASE_URL")
    }

    @Test("defaults are safe")
    func defaults() throws {
        let c = try Config.fromEnvironment(Self.base)
        #expect(c.databaseURL == Self.base["DATABASE_URL"])
        #expect(c.leaseSeconds == 30)
        #expect(c.heartbeatSeconds == 5)
        #expect(c.maxWorkers == 4)
        #expect(c.allowedHosts == ["github.com"])
        #expect(c.allowLocalRepos == false)
        #expect(c.allowPrivateNetworks == false)
        #expect(c.logLevel == "info")
        #expect(c.secretKeyHex == nil)
        #expect(c.githubAPI == "https://api.github.com")
        #expect(c.dataDir.hasPrefix("/"))
        #expect(c.dispatcherEnabled)
    }

    @Test("values are read", arguments: [false, true])
    func values(_ yes: Bool) throws {
        let c = try Config.fromEnvironment(
            env([
                "SCRIBE_MAX_WORKERS": "9", "SCRIBE_LEASE_SECONDS": "60", "SCRIBE_HEARTBEAT_SECONDS": "30",
                "SCRIBE_ALLOWED_HOSTS": " github.com, GitLab.com ,,http://127.0.0.1:8089 ",
                "SCRIBE_ALLOW_LOCAL_REPOS": yes ? "yes" : "0",
                "SCRIBE_ALLOW_PRIVATE_NETWORKS": yes ? "1" : "off",
                "SCRIBE_LOG_LEVEL": "DEBUG", "SCRIBE_DATA_DIR": "/var/lib/scribe",
            ]))
        #expect(c.maxWorkers == 9)
        #expect(c.leaseSeconds == 60)
        #expect(c.heartbeatSeconds == 30)
        #expect(c.allowedHosts == ["github.com", "gitlab.com", "http://127.0.0.1:8089"])
        #expect(c.allowLocalRepos == yes)
        #expect(c.allowPrivateNetworks == yes)
        #expect(c.logLevel == "debug")
        #expect(c.dataDir == "/var/lib/scribe")
    }

    @Test(
        "a bad number names its variable",
        arguments: [
            ("SCRIBE_MAX_WORKERS", "four"), ("SCRIBE_MAX_WORKERS", "-1"), ("SCRIBE_MAX_WORKERS", "2.5"),
            ("SCRIBE_LEASE_SECONDS", "30s"),
            ("SCRIBE_LEASE_SECONDS", "1"), ("SCRIBE_HEARTBEAT_SECONDS", "0"), ("SCRIBE_FCGI_THREADS", "0"),
            ("SCRIBE_CLONE_TIMEOUT_SECONDS", "forever"), ("SCRIBE_MAX_REPOSITORY_MB", "0"),
            ("SCRIBE_WORKER_OBJECT_DELAY_MS", "-5"),
        ])
    func badNumber(_ name: String, _ value: String) throws {
        let e = try #require(failure(env([name: value])))
        #expect(e.variable == name)
        #expect(e.description.contains(name))
        #expect(e.description.contains(value))
    }

    /// Every other number refuses a typo; this one silently fell back to its default.
    @Test("a bad SCRIBE_RETRY_BASE_SECONDS names its variable", arguments: ["two", "2s", "0,5", "-3"])
    func badRetryBase(_ value: String) {
        #expect(failure(env(["SCRIBE_RETRY_BASE_SECONDS": value]))?.variable == "SCRIBE_RETRY_BASE_SECONDS")
    }

    @Test("a bad switch or log level names its variable")
    func badWords() {
        #expect(failure(env(["SCRIBE_ALLOW_LOCAL_REPOS": "maybe"]))?.variable == "SCRIBE_ALLOW_LOCAL_REPOS")
        #expect(failure(env(["SCRIBE_ALLOW_PRIVATE_NETWORKS": "lan"]))?.variable == "SCRIBE_ALLOW_PRIVATE_NETWORKS")
        #expect(failure(env(["SCRIBE_DISPATCHER": "sometimes"]))?.variable == "SCRIBE_DISPATCHER")
        #expect(failure(env(["SCRIBE_LOG_LEVEL": "loud"]))?.variable == "SCRIBE_LOG_LEVEL")
    }

    @Test("the secret key is 64 hexadecimal characters")
    func secretKey() throws {
        let good = String(repeating: "0123456789abcdef", count: 4)
        #expect(try Config.fromEnvironment(env(["SCRIBE_SECRET_KEY": good])).secretKeyHex == good)
        #expect(
            try Config.fromEnvironment(env(["SCRIBE_SECRET_KEY": good.uppercased()])).secretKeyHex == good.uppercased())
        for bad in [
            String(good.dropLast()), good + "0", String(good.dropLast()) + "g", "not a key",
            String(repeating: "z", count: 64),
        ] {
            let e = failure(env(["SCRIBE_SECRET_KEY": bad]))
            #expect(e?.variable == "SCRIBE_SECRET_KEY", "\(bad)")
            #expect(e.map { !$0.description.contains(bad) } ?? true, "the message must not echo the key")
        }
    }

    /// 64 fullwidth digits pass `Character.isHexDigit` but are 192 bytes that no hex decoder accepts: the
    /// server would start and then fail to decrypt every stored secret.
    @Test("a secret key of fullwidth digits is refused")
    func secretKeyFullwidth() {
        let fullwidth = String(repeating: "０１２３４５６７８９ａｂｃｄｅｆ", count: 4)
        #expect(failure(env(["SCRIBE_SECRET_KEY": fullwidth]))?.variable == "SCRIBE_SECRET_KEY")
    }

    @Test("the heartbeat is at most half the lease")
    func heartbeatVsLease() throws {
        #expect(
            try Config.fromEnvironment(env(["SCRIBE_LEASE_SECONDS": "10", "SCRIBE_HEARTBEAT_SECONDS": "5"]))
                .heartbeatSeconds == 5)
        let e = try #require(failure(env(["SCRIBE_LEASE_SECONDS": "10", "SCRIBE_HEARTBEAT_SECONDS": "6"])))
        #expect(e.variable == "SCRIBE_HEARTBEAT_SECONDS")
        #expect(e.description.contains("SCRIBE_LEASE_SECONDS"))
        // The default heartbeat (5 s) does not fit a 9 s lease either.
        #expect(failure(env(["SCRIBE_LEASE_SECONDS": "9"]))?.variable == "SCRIBE_HEARTBEAT_SECONDS")
    }
}
