import ScribeCore

/// Which commit a repository's documentation is of, and whether a newer one of its branch is known.
public struct Freshness: Sendable, Equatable {
    public var commit: String? = nil
    public var remoteCommit: String? = nil
    public var remoteSeenAt: String? = nil
    public var stale = false

    public init(commit: String? = nil, remoteCommit: String? = nil, remoteSeenAt: String? = nil, stale: Bool = false) {
        self.commit = commit
        self.remoteCommit = remoteCommit
        self.remoteSeenAt = remoteSeenAt
        self.stale = stale
    }

    /// `docs_commit`, `remote_commit` (with when it was seen), `stale` and `newer_commit` (the remote one when stale).
    public var fields: [(String, JSONValue)] {
        [
            ("docs_commit", .str(commit)), ("remote_commit", .str(remoteCommit)),
            ("remote_commit_seen_at", .str(remoteSeenAt)),
            ("stale", .bool(stale)), ("newer_commit", .str(stale ? remoteCommit : nil)),
        ]
    }
}
