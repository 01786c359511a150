import Foundation
import Testing

@testable import ScribePipeline

/// dbt projects read as written: models, sources, seeds and snapshots with their YAML descriptions, columns
/// and tests, lineage from `ref()` and `source()`, and a dynamic `ref` reported rather than guessed.
@Suite struct DbtProjectTests {
    @Test func objectsDescriptionsColumnsAndLineage() throws {
        let fx = try Fixture(DataFixtures.dbt)
        let a = try fx.analyze()
        #expect(a.data.facts() == [
            "models/marts/customer_lifetime_value":
                "dbt model customer_lifetime_value @models/marts/customer_lifetime_value.sql:1 [What each customer has spent.] "
                + "[\"customer_id - | The customer.\", \"lifetime_value - | Sum of order amounts.\"]",
            "models/marts/order_summary": "dbt model order_summary @models/marts/order_summary.sql:1 [-] []",
            "models/staging/stg_customers": "dbt model stg_customers @models/staging/stg_customers.sql:1 [-] []",
            "models/staging/stg_orders":
                "dbt model stg_orders @models/staging/stg_orders.sql:1 [Orders with renamed columns.] [\"order_id - | Primary key.\", \"customer_id -\"]",
            "models/staging/raw.orders":
                "dbt source raw.orders @models/staging/sources.yml:5 [Orders as the shop exports them.] [\"id - | The shop's order number.\"]",
            "models/staging/raw.customers": "dbt source raw.customers @models/staging/sources.yml:10 [-] []",
            "seeds/country_codes": "dbt seed country_codes @seeds/country_codes.csv:1 [-] [\"code -\", \"name -\"]",
            "snapshots/orders_snapshot": "dbt snapshot orders_snapshot @snapshots/orders_snapshot.sql:1 [-] []",
        ])
        #expect(a.data.edgeFacts() == [
            "models/marts/customer_lifetime_value → models/staging/stg_customers (ref) @models/marts/customer_lifetime_value.sql:4",
            "models/marts/customer_lifetime_value → models/staging/stg_orders (ref) @models/marts/customer_lifetime_value.sql:5",
            "models/staging/stg_customers → models/staging/raw.customers (source) @models/staging/stg_customers.sql:1",
            "models/staging/stg_orders → models/staging/raw.orders (source) @models/staging/stg_orders.sql:5",
            "snapshots/orders_snapshot → models/staging/raw.orders (source) @snapshots/orders_snapshot.sql:3",
        ])
        try checkDataTruth(a.data, root: fx.root)
    }

    @Test func materializationTestsAndTheDynamicRef() throws {
        let fx = try Fixture(DataFixtures.dbt)
        let a = try fx.analyze()
        let clv = try #require(a.data.object("models/marts/customer_lifetime_value"))
        // The model's own config() call wins over the folder's setting in dbt_project.yml.
        #expect(clv.materialization == "incremental" && clv.materializationSource?.text == "models/marts/customer_lifetime_value.sql:1")
        let summary = try #require(a.data.object("models/marts/order_summary"))
        #expect(summary.materialization == "table" && summary.materializationSource?.text == "dbt_project.yml:10")
        #expect(a.data.object("models/staging/stg_orders")?.materialization == "view")
        // Read as written: the variable is not resolved, the Jinja comment is not a call.
        #expect(summary.notes.map(\.text) == ["`ref(upstream)` is built at run time: its target cannot be read from the file"])
        #expect(summary.notes.map(\.at.text) == ["models/marts/order_summary.sql:3"])
        #expect(a.data.upstream(summary.id).isEmpty)
        let orders = try #require(a.data.object("models/staging/stg_orders"))
        #expect(orders.columns.map(\.tests) == [["unique", "not_null"], ["relationships"]])
        #expect(orders.files == ["models/staging/stg_orders.sql", "models/staging/schema.yml", "dbt_project.yml"])
        // Layers: sources and the seed first, then staging, then the marts.
        #expect(a.data.layers().map { $0.map(\.name).sorted() } == [
            ["country_codes", "order_summary", "raw.customers", "raw.orders"], ["orders_snapshot", "stg_customers", "stg_orders"],
            ["customer_lifetime_value"],
        ])
        // Jinja in the models is not SQL: no schema object comes from them.
        #expect(!a.data.objects.contains { $0.kind == "table" || $0.kind == "view" })
    }

    @Test func jinjaCallsAreReadAsWritten() {
        let text = "select 1\n{{ ref('a') }} {{ ref('pkg', \"b\", v=2) }}\n{# ref('c') #}{{ dbt.ref('x') }}{{ xref('y') }}\n{{ source('s' ~ x, 't') }}"
        let calls = Jinja.calls(text, named: ["ref", "source"])
        #expect(calls.map(\.text) == ["ref('a')", "ref('pkg', \"b\", v=2)", "source('s' ~ x, 't')"])
        #expect(calls.map(\.line) == [2, 2, 4])
        #expect(calls.map { $0.arguments ?? ["<dynamic>"] } == [["a"], ["pkg", "b"], ["<dynamic>"]])
    }
}

@Suite struct DbtYAMLLimitsTests {
    @Test func aYAMLFileOfNestedAliasesIsSkippedNotExpanded() throws {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...70 { yaml += "a\(i): &a\(i) [*a\(i - 1), *a\(i - 1)]\n" }
        #expect(DbtProject.compose(yaml) == nil)
        #expect(DbtProject.compose("models:\n  - name: x\n    description: '*not an alias*'\n")?.mapping != nil)
        let fx = try Fixture(DataFixtures.dbt.merging(["models/marts/laughs.yml": yaml]) { a, _ in a })
        let a = try fx.analyze()
        #expect(a.data.objects.count == 8)
    }
}
