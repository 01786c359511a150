import Foundation
import Testing

@testable import ScribePipeline

/// SQL schemas through the tree-sitter SQL grammar: PostgreSQL migrations, a MySQL and a SQLite schema.
@Suite struct DataSchemaTests {
    @Test func postgresMigrationsGiveTablesViewsColumnsCommentsAndEdges() throws {
        let fx = try Fixture(DataFixtures.postgres)
        let a = try fx.analyze()
        #expect(a.data.facts() == [
            "db/migrations/public.customers":
                "table public.customers @db/migrations/001_customers.sql:3 [People who can place orders.\nOne row per e-mail address.] "
                + "[\"id bigserial PRIMARY KEY\", \"email text NOT NULL UNIQUE\", \"name varchar(200)\"]",
            "db/migrations/orders":
                "table orders @db/migrations/002_orders.sql:1 [One row per order placed.] [\"id bigint GENERATED ALWAYS AS IDENTITY\", "
                + "\"customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE\", "
                + "\"amount numeric(12, 2) CHECK (amount >= 0) | Total in EUR.\"]",
            "db/migrations/customer_totals": "view customer_totals @db/migrations/002_orders.sql:11 [-] []",
            "db/migrations/big_orders": "materialized view big_orders @db/migrations/002_orders.sql:17 [-] []",
            "db/migrations/refunds":
                "table refunds @db/migrations/003_refunds.sql:1 [-] [\"id serial PRIMARY KEY\", \"order_id bigint NOT NULL\", \"reason text\"]",
        ])
        #expect(a.data.edgeFacts() == [
            "db/migrations/big_orders → db/migrations/orders (reads) @db/migrations/002_orders.sql:17",
            "db/migrations/customer_totals → db/migrations/orders (reads) @db/migrations/002_orders.sql:12",
            "db/migrations/customer_totals → db/migrations/public.customers (reads) @db/migrations/002_orders.sql:14",
            "db/migrations/orders → db/migrations/public.customers (foreign key) @db/migrations/002_orders.sql:3",
            "db/migrations/refunds → db/migrations/orders (foreign key) @db/migrations/003_refunds.sql:6",
        ])
        let orders = try #require(a.data.object("db/migrations/orders"))
        #expect(orders.keys == ["PRIMARY KEY (id)"])
        #expect(orders.descriptionSource?.text == "db/migrations/002_orders.sql:8")
        #expect(a.data.object("db/migrations/refunds")?.keys == ["CONSTRAINT refunds_order_fk FOREIGN KEY (order_id) REFERENCES orders (id)"])
        // The COMMENT ON wins over the trailing comment of the column, which is the later word on it.
        #expect(orders.columns[2].descriptionSource?.text == "db/migrations/002_orders.sql:9")
        try checkDataTruth(a.data, root: fx.root)
    }

    @Test func mysqlSchemaWithBackticksKeysAndCommentOptions() throws {
        let fx = try Fixture(DataFixtures.mysql)
        let a = try fx.analyze()
        #expect(a.data.facts() == [
            "mysql/categories": "table categories @mysql/schema.sql:1 [-] [\"id int NOT NULL AUTO_INCREMENT\", \"title varchar(80) NOT NULL\"]",
            "mysql/products":
                "table products @mysql/schema.sql:7 [Things we sell] [\"id int unsigned NOT NULL AUTO_INCREMENT\", "
                + "\"sku varchar(32) NOT NULL COMMENT 'Stock keeping unit' | Stock keeping unit\", \"category_id int\"]",
        ])
        #expect(a.data.object("mysql/products")?.keys == [
            "PRIMARY KEY (`id`)", "UNIQUE KEY `sku_idx` (`sku`)", "CONSTRAINT `fk_cat` FOREIGN KEY (`category_id`) REFERENCES `categories` (`id`)",
        ])
        #expect(a.data.edgeFacts() == ["mysql/products → mysql/categories (foreign key) @mysql/schema.sql:13"])
        try checkDataTruth(a.data, root: fx.root)
    }

    @Test func sqliteSchemaKeepsWhatTheGrammarCannotPlaceWithItsColumn() throws {
        let fx = try Fixture(DataFixtures.sqlite)
        let a = try fx.analyze()
        #expect(a.data.facts() == [
            "app/authors":
                "table authors @app/schema.sql:1 [-] [\"id INTEGER PRIMARY KEY AUTOINCREMENT\", \"display_name TEXT NOT NULL | Shown on every note.\"]",
            "app/notes": "table notes @app/schema.sql:6 [-] [\"id INTEGER PRIMARY KEY\", \"body TEXT\", \"author_id INTEGER REFERENCES authors(id)\"]",
            "app/recent_notes": "view recent_notes @app/schema.sql:11 [-] []",
        ])
        #expect(a.data.edgeFacts() == [
            "app/notes → app/authors (foreign key) @app/schema.sql:9", "app/recent_notes → app/notes (reads) @app/schema.sql:11",
        ])
        try checkDataTruth(a.data, root: fx.root)
    }

    @Test func dataObjectsAreModulesWithCoverageOfDescribedColumns() throws {
        let fx = try Fixture(DataFixtures.postgres)
        let a = try fx.analyze()
        let m = try #require(a.modules.first { $0.path == "db/migrations/orders" })
        #expect(m.kind == "table" && m.qualifiedName == "orders")
        #expect(m.files.map(\.path) == ["db/migrations/002_orders.sql"])
        // The described table and 1 of its 3 columns: 2 of 4 items described, 10 + 45 = 55 %.
        #expect(a.coverage(of: m) == Analysis.Coverage(packageDoc: true, exported: 4, documented: 2))
        #expect(a.coverage(of: m).text == "55.0 %")
        #expect(a.uses("db/migrations/orders").map(\.to) == ["db/migrations/public.customers"])
        #expect(Set(a.usedBy("db/migrations/orders").map(\.from)) == ["db/migrations/big_orders", "db/migrations/customer_totals", "db/migrations/refunds"])
        // options.modules: an object by its id, or a folder of objects.
        #expect(a.select(["db/migrations"]).modules.count == 5)
        #expect(a.select(["db/migrations/orders", "nosuch"]).modules.map(\.path) == ["db/migrations/orders"])
        #expect(a.select(["db/migrations/orders", "nosuch"]).unknown == ["nosuch"])
    }

    @Test func aBrokenStatementIsSkippedNotInvented() throws {
        let fx = try Fixture(["sql/broken.sql": "CREATE TABLE ok (id int);\nCREATE TABLE (;\nSELECT 1;\n"])
        let a = try fx.analyze()
        #expect(a.data.facts() == ["sql/ok": "table ok @sql/broken.sql:1 [-] [\"id int\"]"])
    }
}
