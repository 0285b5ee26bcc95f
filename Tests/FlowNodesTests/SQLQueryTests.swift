import FlowCore
import FlowJSON
import Foundation
import Testing

@testable import FlowNodes

/// `sql_query` on both databases: parameters, value types, errors.
@Suite struct SQLQueryTests {
    static func query(_ url: String, _ body: String, batchSize: Int = 500, file: String = "test.yaml") async -> (records: [JSON], error: String?) {
        let bucket = UUID().uuidString
        let yaml = """
            name: query-test
            nodes:
              q:
                type: sql_query
                url: \(url)
            \(DatabaseWorkflow.indent(body, 4))
              sink:
                type: test_collector
                input: q
                bucket: \(bucket)
            """
        let outcome = await DatabaseWorkflow.run(yaml, batchSize: batchSize, buckets: [bucket], file: file)
        return (outcome.collected[bucket] ?? [], outcome.node("q")?.error)
    }

    @Test(arguments: TestDatabaseKind.allCases)
    func parametersAreBoundAndRowsStreamAsRecords(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        try await target.execute("CREATE TABLE \(target.table) (id INTEGER, name TEXT, price DOUBLE PRECISION, ok BOOLEAN)")
        try await target.execute("""
            INSERT INTO \(target.table) VALUES (1, 'a', 1.5, true), (2, 'b''; DROP TABLE x; --', 2.5, false), (3, '$1', NULL, NULL), (4, 'd', 4.5, true)
            """)
        let (records, error) = await Self.query(target.url, """
            query: "SELECT id, name, price, ok FROM \(target.table) WHERE id >= $1 AND name <> $2 AND name <> '$3' ORDER BY id"
            params: [2, "d"]
            batch_size: 1
            """, batchSize: 2)
        #expect(error == nil)
        #expect(records == [
            ["id": 2, "name": "b'; DROP TABLE x; --", "price": 2.5, "ok": false],
            ["id": 3, "name": "$1", "price": nil, "ok": nil],
        ])
    }

    @Test func postgresValuesBecomeJSON() async throws {
        let target = try TestTarget.make(.postgres)
        let (records, error) = await Self.query(target.url, """
            query: >-
              SELECT 1::int2 AS small, 9007199254740993::int8 AS big, 1.5::float4 AS f, 'NaN'::float8 AS nan,
                12.50::numeric AS exact, 123456789012345678901234567890.5::numeric AS huge, 42::numeric AS whole,
                '{"a": [1, {"b": null}]}'::jsonb AS doc, '[1,2]'::json AS list, true AS yes,
                '2024-05-01'::date AS day, 'é'::text AS t, NULL::text AS nothing, $1::text AS p, $2::jsonb AS j
            params: ["hello", { k: [1, 2] }]
            """)
        #expect(error == nil)
        #expect(records == [[
            "small": 1, "big": 9007199254740993, "f": 1.5, "nan": "NaN", "exact": 12.5,
            "huge": "123456789012345678901234567890.5", "whole": 42, "doc": ["a": [1, ["b": nil]]], "list": [1, 2],
            "yes": true, "day": "2024-05-01", "t": "é", "nothing": nil, "p": "hello", "j": ["k": [1, 2]],
        ]])
    }

    @Test func sqliteFilesAreRelativeToTheWorkflow() async throws {
        let target = try TestTarget.make(.sqlite)
        try await target.execute("CREATE TABLE t (flag BOOLEAN, doc JSON, n INTEGER); INSERT INTO t VALUES (1, '{\"a\":1}', 7)")
        let directory = (target.sqlitePath as NSString).deletingLastPathComponent
        let (records, error) = await Self.query("sqlite:test.db", "query: SELECT flag, doc, n FROM t", file: directory + "/flow.yaml")
        #expect(error == nil)
        #expect(records == [["flag": true, "doc": ["a": 1], "n": 7]])
    }

    @Test(arguments: TestDatabaseKind.allCases)
    func aBadQueryFailsWithTheDatabaseMessage(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        if kind == .sqlite { try await target.execute("CREATE TABLE marker (x INTEGER)") }
        let (_, error) = await Self.query(target.url, "query: SELECT * FROM no_such_table_here")
        let message = try #require(error)
        #expect(message.contains("no_such_table_here"), "\(message)")
        #expect(message.contains("query failed on"), "\(message)")
    }

    @Test func aMissingSQLiteFileIsNotCreated() async throws {
        let target = try TestTarget.make(.sqlite)
        let (_, error) = await Self.query(target.url, "query: SELECT 1")
        let message = try #require(error)
        #expect(message.contains("unable to open database file"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: target.sqlitePath))
    }

    @Test func missingParametersAreAValidationError() {
        let diagnostics = WorkflowHarness.validate("""
            name: v
            nodes:
              q:
                type: sql_query
                url: "sqlite::memory:"
                query: "SELECT $1, $2, '$7' -- $9"
                params: [1]
            """)
        #expect(diagnostics.items.contains { $0.message.contains("`query` uses $2 but `params` has 1 value(s)") }, "\(diagnostics.items)")
    }

    @Test func parametersAreTranslatedForSQLite() {
        let scan = SQLParameters("SELECT $1, '$2', \"$3\", $$ $4 $$, $tag$ $5 $tag$ /* $6 */ -- $7\n, x$8, $10")
        #expect(scan.highest == 10)
        #expect(scan.sqliteText == "SELECT ?1, '$2', \"$3\", $$ $4 $$, $tag$ $5 $tag$ /* $6 */ -- $7\n, x$8, ?10")
    }
}
