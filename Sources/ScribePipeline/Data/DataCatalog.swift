import Foundation

/// The data objects of a repository: SQL tables and views, and dbt models, sources, seeds and snapshots,
/// each with its columns, descriptions and lineage, every fact cited by `file:line`.
public struct DataCatalog: Sendable {
    /// Where a fact is written.
    public struct Citation: Sendable, Hashable {
        public let path: String
        public let line: Int
        public var text: String { "\(path):\(line)" }
    }

    public struct Column: Sendable {
        public var name: String
        public var type: String? = nil
        /// Column constraints as written (`NOT NULL`, `PRIMARY KEY`, `REFERENCES customers (id)`, `DEFAULT now()`).
        public var constraints: [String] = []
        public var description: String? = nil
        public var descriptionSource: Citation? = nil
        /// dbt data tests declared for the column (`unique`, `not_null`, `relationships`…).
        public var tests: [String] = []
        public var declared: Citation? = nil
    }

    public struct Object: Sendable {
        /// The job object: the defining file's folder and the object's name (`models/marts/orders`).
        public var id: String
        /// As the project names it: the table or view name, the model name, `source.table` for dbt sources.
        public var name: String
        /// `table`, `view`, `materialized view`, `dbt model`, `dbt source`, `dbt seed`, `dbt snapshot`.
        public var kind: String
        public var definedAt: Citation
        /// The statement or model file's text.
        public var sql: String? = nil
        /// dbt's `materialized`, where a `config()` call or a YAML file declares it.
        public var materialization: String? = nil
        public var materializationSource: Citation? = nil
        public var description: String? = nil
        public var descriptionSource: Citation? = nil
        public var columns: [Column] = []
        /// Table constraints as written (`PRIMARY KEY (id)`, `UNIQUE (email)`, `FOREIGN KEY …`).
        public var keys: [String] = []
        /// dbt data tests declared for the object itself.
        public var tests: [String] = []
        /// What the reader could not settle from the files as written (a `ref()` built at run time).
        public var notes: [(text: String, at: Citation)] = []
        /// The files this object's facts come from (its SQL, its YAML).
        public var files: [String] = []
    }

    /// `from` uses `to`: a foreign key, a view reading a table, a dbt `ref()` or `source()`.
    public struct Edge: Sendable {
        public let from: String
        public let to: String
        /// `foreign key`, `reads`, `ref`, `source`.
        public let kind: String
        /// The call or clause as written.
        public let text: String
        public let at: Citation
    }

    public var objects: [Object] = []
    public var edges: [Edge] = []

    public init(objects: [Object] = [], edges: [Edge] = []) {
        self.objects = objects
        self.edges = edges
    }

    public var isEmpty: Bool { objects.isEmpty }

    public func object(_ id: String) -> Object? { objects.first { $0.id == id } }

    public func upstream(_ id: String) -> [Edge] { edges.filter { $0.from == id } }
    public func downstream(_ id: String) -> [Edge] { edges.filter { $0.to == id } }

    /// Coverage of a data object by pkgsite's formula: its description counts as the package doc, and the
    /// object and its columns as the symbols (so a repository's figure counts described objects and columns).
    public func coverage(_ id: String) -> Analysis.Coverage? {
        guard let o = object(id) else { return nil }
        let described = o.columns.filter { $0.description != nil }.count + (o.description != nil ? 1 : 0)
        return Analysis.Coverage(packageDoc: o.description != nil, exported: o.columns.count + 1, documented: described)
    }

    /// Layers for the lineage overview: sources (nothing upstream) first, then each object one layer
    /// after the deepest of its upstream objects. Cycles (a foreign key back) keep the layer reached so far.
    public func layers() -> [[Object]] {
        var depth: [String: Int] = [:]
        let ids = objects.map(\.id)
        var changed = true
        var rounds = 0
        for id in ids { depth[id] = 0 }
        while changed && rounds <= ids.count {
            changed = false
            rounds += 1
            for e in edges where e.from != e.to {
                guard let d = depth[e.to], let cur = depth[e.from], cur < d + 1 else { continue }
                depth[e.from] = d + 1
                changed = true
            }
        }
        let maxDepth = depth.values.max() ?? 0
        return (0...maxDepth).map { d in objects.filter { depth[$0.id] == d } }.filter { !$0.isEmpty }
    }
}
