import Foundation
import Testing

@testable import ScribePipeline

/// Data repositories written by the tests: PostgreSQL migrations, a MySQL and a SQLite schema, and a dbt
/// project with sources, staging and mart models, YAML descriptions and tests, and a dynamic `ref`.
enum DataFixtures {
    static let postgres: [String: String] = [
        "db/migrations/001_customers.sql": """
            -- People who can place orders.
            -- One row per e-mail address.
            CREATE TABLE public.customers (
                id bigserial PRIMARY KEY,
                email text NOT NULL UNIQUE,
                name varchar(200)
            );

            """,
        "db/migrations/002_orders.sql": """
            CREATE TABLE orders (
                id bigint GENERATED ALWAYS AS IDENTITY,
                customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
                amount numeric(12, 2) CHECK (amount >= 0), -- taxes included
                PRIMARY KEY (id)
            );

            COMMENT ON TABLE orders IS 'One row per order placed.';
            COMMENT ON COLUMN orders.amount IS 'Total in EUR.';

            CREATE VIEW customer_totals AS
            WITH paid AS (SELECT * FROM orders WHERE amount > 0)
            SELECT c.id, c.email, sum(p.amount) AS total
            FROM customers c JOIN paid p ON p.customer_id = c.id
            GROUP BY c.id, c.email;

            CREATE MATERIALIZED VIEW big_orders AS SELECT * FROM orders WHERE amount > 100;

            """,
        "db/migrations/003_refunds.sql": """
            CREATE TABLE refunds (
                id serial PRIMARY KEY,
                order_id bigint NOT NULL
            );
            ALTER TABLE refunds ADD COLUMN reason text;
            ALTER TABLE ONLY refunds ADD CONSTRAINT refunds_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);

            """,
    ]

    static let mysql: [String: String] = [
        "mysql/schema.sql": """
            CREATE TABLE `categories` (
              `id` int NOT NULL AUTO_INCREMENT,
              `title` varchar(80) NOT NULL,
              PRIMARY KEY (`id`)
            ) ENGINE=InnoDB;

            CREATE TABLE `products` (
              `id` int unsigned NOT NULL AUTO_INCREMENT,
              `sku` varchar(32) NOT NULL COMMENT 'Stock keeping unit',
              `category_id` int,
              PRIMARY KEY (`id`),
              UNIQUE KEY `sku_idx` (`sku`),
              CONSTRAINT `fk_cat` FOREIGN KEY (`category_id`) REFERENCES `categories` (`id`)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Things we sell';

            """
    ]

    static let sqlite: [String: String] = [
        "app/schema.sql": """
            CREATE TABLE IF NOT EXISTS authors (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              -- Shown on every note.
              display_name TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS notes (
              id INTEGER PRIMARY KEY,
              body TEXT,
              author_id INTEGER REFERENCES authors(id)
            );
            CREATE VIEW IF NOT EXISTS recent_notes AS SELECT id, body FROM notes WHERE id > 10;

            """
    ]

    static let dbt: [String: String] = [
        "dbt_project.yml": """
            name: shop
            version: '1.0'
            profile: shop
            model-paths: ["models"]
            models:
              shop:
                staging:
                  +materialized: view
                marts:
                  +materialized: table

            """,
        "models/staging/sources.yml": """
            version: 2
            sources:
              - name: raw
                tables:
                  - name: orders
                    description: Orders as the shop exports them.
                    columns:
                      - name: id
                        description: The shop's order number.
                  - name: customers

            """,
        "models/staging/stg_orders.sql": """
            select
                id as order_id,
                customer_id,
                amount
            from {{ source('raw', 'orders') }}

            """,
        "models/staging/stg_customers.sql": """
            select id as customer_id, email from {{ source("raw", "customers") }}

            """,
        "models/staging/schema.yml": """
            version: 2
            models:
              - name: stg_orders
                description: Orders with renamed columns.
                columns:
                  - name: order_id
                    description: Primary key.
                    tests:
                      - unique
                      - not_null
                  - name: customer_id
                    data_tests:
                      - relationships:
                          to: ref('stg_customers')
                          field: customer_id

            """,
        "models/marts/customer_lifetime_value.sql": """
            {{ config(materialized='incremental') }}

            select c.customer_id, sum(o.amount) as lifetime_value
            from {{ ref('stg_customers') }} c
            join {{ ref("stg_orders") }} o using (customer_id)
            group by 1

            """,
        "models/marts/order_summary.sql": """
            {% set upstream = 'stg_' ~ var('kind') %}
            {# {{ ref('commented_out') }} #}
            select * from {{ ref(upstream) }}

            """,
        "models/marts/marts.yml": """
            version: 2
            models:
              - name: customer_lifetime_value
                description: |
                  What each customer has spent.
                columns:
                  - name: customer_id
                    description: The customer.
                  - name: lifetime_value
                    description: Sum of order amounts.

            """,
        "seeds/country_codes.csv": "code,name\nDE,Germany\n",
        "snapshots/orders_snapshot.sql": """
            {% snapshot orders_snapshot %}
            {{ config(unique_key='id', strategy='check', check_cols='all') }}
            select * from {{ source('raw', 'orders') }}
            {% endsnapshot %}

            """,
    ]
}

extension DataCatalog {
    /// `id → kind name @file:line [description] [columns as "name type constraints | description"]`.
    func facts() -> [String: String] {
        var out: [String: String] = [:]
        for o in objects {
            let cols = o.columns.map { c in
                ([c.name, c.type ?? "-"] + c.constraints).joined(separator: " ") + (c.description.map { " | \($0)" } ?? "")
            }
            let list = "[" + cols.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
            out[o.id] = "\(o.kind) \(o.name) @\(o.definedAt.text) [\(o.description ?? "-")] \(list)"
        }
        return out
    }

    /// `from → to (kind) @file:line`, sorted.
    func edgeFacts() -> [String] {
        edges.map { "\($0.from) → \($0.to) (\($0.kind)) @\($0.at.text)" }.sorted()
    }
}

/// The truth check for data objects: every citation names what it cites (an object its name, a column its
/// name, a description its text, an edge its target), read from the files themselves.
func checkDataTruth(_ c: DataCatalog, root: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    var cache: [String: [Substring]] = [:]
    func line(_ at: DataCatalog.Citation) throws -> String {
        if cache[at.path] == nil {
            cache[at.path] = try String(contentsOfFile: "\(root)/\(at.path)", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        }
        let lines = cache[at.path]!
        guard at.line >= 1, at.line <= lines.count else { return "" }
        return String(lines[at.line - 1])
    }
    func bare(_ s: String) -> String { s.filter { $0 != "`" && $0 != "\"" }.lowercased() }
    for o in c.objects {
        let l = try line(o.definedAt)
        // A dbt model is named by its file; everything else by the line that creates or lists it.
        let named = o.kind == "dbt model" || o.kind == "dbt seed" ? o.definedAt.path.contains("/\(o.name).")
            : bare(l).contains(bare(String(o.name.split(separator: ".").last!)))
        #expect(named, "\(o.id): \(o.definedAt.text) does not name it: \(l)", sourceLocation: sourceLocation)
        if let d = o.description, let at = o.descriptionSource {
            let first = String(d.split(separator: "\n").first ?? "")
            let text = try line(at) + "\n" + line(DataCatalog.Citation(path: at.path, line: at.line + 1))
            #expect(text.contains(first), "\(o.id): description \"\(first)\" is not at \(at.text)", sourceLocation: sourceLocation)
        }
        for col in o.columns {
            if let at = col.declared {
                #expect(bare(try line(at)).contains(bare(col.name)), "\(o.id).\(col.name): \(at.text) does not name it", sourceLocation: sourceLocation)
            }
            if let d = col.description, let at = col.descriptionSource {
                #expect(try line(at).contains(d), "\(o.id).\(col.name): \"\(d)\" is not at \(at.text)", sourceLocation: sourceLocation)
            }
        }
    }
    for e in c.edges {
        let target = c.object(e.to)!
        let l = bare(try line(e.at))
        #expect(l.contains(bare(e.kind == "source" ? String(target.name.split(separator: ".").last!) : target.name.split(separator: ".").last.map(String.init)!)),
            "\(e.from) → \(e.to): \(e.at.text) does not name the target: \(l)", sourceLocation: sourceLocation)
    }
}
