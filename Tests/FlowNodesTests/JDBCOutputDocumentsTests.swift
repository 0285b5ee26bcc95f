import FlowCore
import FlowJSON
import Foundation
import Testing

@testable import FlowNodes

/// `jdbc_output` on PostgreSQL encodes COPY rows straight from JSON text when its input sends
/// documents (file_input NDJSON -> jdbc_output), and from parsed records otherwise (a transform in
/// between): the same table contents and the same errors.
@Suite struct JDBCOutputDocumentsTests {
    static let columns = """
        { id: bigint, i: integer, s: smallint, d: double precision, r: real, n: numeric, n2: "numeric(10,2)", \
        b: boolean, t: text, v: varchar(80), j: json, jb: jsonb, day: date, ts: timestamp, u: uuid, arr: "text[]", tn: text }
        """

    /// Every column type, in canonical text (as flow writes JSON, so that json and text columns get
    /// the same text from both paths), plus escapes that decode to the same strings.
    static let lines = [
        #"{"id":1,"i":12,"s":-3,"d":9.99,"r":0.5,"n":7,"n2":2.5,"b":true,"t":"plain","v":"x","j":{"a":[1,2,{"b":null}]},"jb":{"k":"v","n":1},"day":"2026-01-02","ts":"2026-01-02 03:04:05","u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","arr":"{a,b}","tn":12}"#,
        #"{"id":2,"t":"quote ' \" back\\slash tab\t nl\n cr\r ctl\u0001 bs\b ff\f é 😀 \\N \\. end\\","v":"\u0041\/\u005c\u0009\ud83d\ude00","tn":"s","jb":[1,"\u00e9"]}"#,
        #"{"id":3,"i":2.0,"s":null,"d":-0,"r":1E+2,"n":"3.25","n2":-0.5,"b":false,"t":"","tn":1.5,"j":"str\"ing","jb":null}"#,
        #"{"id":4,"i":1e3,"d":1e-5,"n":150,"tn":true,"j":[],"jb":{},"day":null,"arr":"{}","t":"\\"}"#,
        #"{"tn":{"x":[true,null]},"id":5,"d":12345678901234567890,"i":-2147483648,"n":-0,"j":"é\n"}"#,
        #"{"id":6,"d":1e400,"r":-1.5E-3}"#,
        #"{"id":7,"id":8,"t":"repeated key: the last one counts","t":"last"}"#,
    ]

    /// Writes `lines` as NDJSON and loads them into `table` with `body`, reading documents
    /// (file_input -> jdbc_output) or records (with a transform in between).
    static func load(_ lines: [String], table: String, documents: Bool, body: String, batchSize: Int = 2) async throws
        -> WorkflowHarness.Outcome
    {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flow-jdbcdocs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(dir)/in.ndjson", contents: Data((lines.joined(separator: "\n") + "\n").utf8))
        let yaml = """
            nodes:
              src: { type: file_input, path: in.ndjson }
            \(documents ? "" : #"  mid: { type: transform, input: src, filter: "$exists($)" }"#)
              store:
                type: jdbc_output
                input: \(documents ? "src" : "mid")
                url: \(try TestTarget.postgresURL())
                table: \(table)
            \(DatabaseWorkflow.indent(body, 4))
            """
        return await DatabaseWorkflow.run(yaml, batchSize: batchSize, file: "\(dir)/w.yaml")
    }

    /// The table's rows as text, by id.
    static func contents(_ target: TestTarget, _ table: String) async throws -> [[JSON]] {
        try await target.rows("SELECT row_to_json(x)::text FROM \(table) x ORDER BY id")
    }

    @Test(arguments: ["insert", "upsert", "replace"], [1, 2, 500])
    func documentsAndRecordsLoadTheSameRows(mode: String, batchSize: Int) async throws {
        let target = try TestTarget.make(.postgres)
        var tables: [String] = []
        for documents in [true, false] {
            let table = target.table + (documents ? "_d" : "_r")
            tables.append(table)
            if mode == "replace" {
                try await target.execute("CREATE TABLE \(table) (id bigint, i integer, s smallint, d double precision, r real, n numeric, n2 numeric(10,2), b boolean, t text, v varchar(80), j json, jb jsonb, day date, ts timestamp, u uuid, arr text[], tn text); INSERT INTO \(table) (id, t) VALUES (100, 'old')")
            }
            // Upsert: record 7 repeats id 8's key with the next run's first record, and the rows
            // are loaded twice so the second run updates them.
            let lines = mode == "upsert" ? Self.lines + [#"{"id":8,"t":"later"}"#, #"{"id":1,"t":"changed"}"#] : Self.lines
            let outcome = try await Self.load(lines, table: table, documents: documents, body: """
                mode: \(mode)
                \(mode == "upsert" ? "key: [id]" : "")
                columns: \(Self.columns)
                batch_size: \(batchSize)
                """, batchSize: batchSize)
            #expect(outcome.node("store")?.error == nil, "\(outcome.node("store")?.error ?? "")")
            #expect(outcome.node("store")?.status == .succeeded)
            if mode == "upsert" {
                let again = try await Self.load(lines.reversed(), table: table, documents: documents, body: """
                    mode: upsert
                    key: [id]
                    columns: \(Self.columns)
                    batch_size: \(batchSize)
                    """, batchSize: batchSize)
                #expect(again.node("store")?.error == nil, "\(again.node("store")?.error ?? "")")
            }
        }
        let loaded = try await Self.contents(target, tables[0])
        #expect(loaded.count == 7)
        #expect(loaded == (try await Self.contents(target, tables[1])))
        let text = loaded.map { $0.first?.stringValue ?? "" }.joined(separator: "\n")
        #expect(text.contains(#""t":"quote ' \" back\\slash tab\t nl\n cr\r ctl\u0001 bs\b ff\f é 😀 \\N \\. end\\""#), "\(text)")
        #expect(text.contains(#""v":"A/\\\t😀""#), "\(text)")
        #expect(text.contains(#""d":"Infinity""#), "\(text)")
    }

    /// `commit: batch`: the same batches are committed on both paths.
    @Test(arguments: ["insert", "upsert"])
    func batchCommitsAreTheSame(mode: String) async throws {
        let target = try TestTarget.make(.postgres)
        var results: [[[JSON]]] = []
        var metrics: [[String: Int]] = []
        for documents in [true, false] {
            let table = target.table + (documents ? "_d" : "_r")
            let lines = Self.lines + [#"{"id":1,"t":"again"}"#]
            let outcome = try await Self.load(lines, table: table, documents: documents, body: """
                mode: \(mode)
                \(mode == "upsert" ? "key: [id]" : "")
                columns: \(Self.columns)
                batch_size: 3
                commit: batch
                """)
            #expect(outcome.node("store")?.error == nil, "\(outcome.node("store")?.error ?? "")")
            results.append(try await Self.contents(target, table))
            metrics.append(outcome.node("store")?.metrics ?? [:])
        }
        #expect(results[0].count == (mode == "upsert" ? 7 : 8))
        #expect(results[0] == results[1])
        #expect(metrics[0] == metrics[1])
        #expect((metrics[0]["batches_committed"] ?? 0) >= 3, "\(metrics[0])")
    }

    /// Without `columns:` the columns come from the table, or are inferred from the first records.
    @Test func inferredColumnsAreTheSame() async throws {
        let target = try TestTarget.make(.postgres)
        let lines = [#"{"id":1,"name":"a","price":1.5,"ok":true,"tags":["x"]}"#, #"{"id":2,"name":"b\tc","price":2,"ok":null}"#]
        var results: [[[JSON]]] = []
        for documents in [true, false] {
            let table = target.table + (documents ? "_d" : "_r")
            let outcome = try await Self.load(lines, table: table, documents: documents, body: "mode: insert")
            #expect(outcome.node("store")?.error == nil, "\(outcome.node("store")?.error ?? "")")
            results.append(try await Self.contents(target, table))
        }
        #expect(results[0].count == 2)
        #expect(results[0] == results[1])
    }

    /// Numbers are copied as written: a numeric column keeps the scale of `1.50`; parsed records
    /// write the number as flow does (`1.5`). Both are the same number.
    @Test func numbersKeepTheirDigits() async throws {
        let target = try TestTarget.make(.postgres)
        let lines = [#"{"id":1,"n":1.50,"t":1.50,"big":123456789012345678901234567890.5}"#]
        var values: [[[JSON]]] = []
        for documents in [true, false] {
            let table = target.table + (documents ? "_d" : "_r")
            let outcome = try await Self.load(lines, table: table, documents: documents,
                                              body: "columns: { id: bigint, n: numeric, t: text, big: numeric }")
            #expect(outcome.node("store")?.error == nil, "\(outcome.node("store")?.error ?? "")")
            values.append(try await target.rows("SELECT n::text, t, big::text, n = 1.5 FROM \(table)"))
        }
        #expect(values[0] == [["1.50", "1.50", "123456789012345678901234567890.5", true]])
        #expect(values[1] == [["1.5", "1.5", "123456789012345680000000000000", true]])
    }

    static let badRecords = [
        #"{"id":3,"d":"abc"}"#,
        #"{"id":3,"i":2.5}"#,
        #"{"id":3,"b":1}"#,
        #"{"id":3,"b":"true"}"#,
        #"{"id":3,"i":{"x":1}}"#,
        #"{"id":3,"i":true}"#,
        #"{"id":3,"u":[1]}"#,
        #"{"id":3,"day":{"y":2026}}"#,
        #"{"id":3,"n":"12abc"}"#,
        #"{"id":3,"n":[1]}"#,
        #"{"id":3,"d":[]}"#,
        #"{"id":3,"i":99999999999}"#,
        #"{"id":3,"i":12345678901234567890}"#,
        #"{"id":3,"extra_field":1}"#,
        #"{"id":3,"t\u0069tle":1}"#,
        #"7"#,
        #"[{"id":3}]"#,
        #"{"id":"x"}"#,
        #"{"id":1.5}"#,
        #"{"id":3,"t":"a\u0000b"}"#,
        #"{"id":3,"day":"not a date"}"#,
        #"{"id":3,"i":1,"i":"later value is checked"}"#,
        #"{"id":3,"i":"first wrong","i":1,"extra":2}"#,
    ]

    @Test(arguments: badRecords, ["insert", "upsert"])
    func typeMismatchesFailTheSameWay(bad: String, mode: String) async throws {
        let target = try TestTarget.make(.postgres)
        let lines = [#"{"id":1,"t":"ok"}"#, #"{"id":2,"i":5}"#, bad, #"{"id":4}"#]
        var errors: [String] = []
        for documents in [true, false] {
            let outcome = try await Self.load(lines, table: target.table, documents: documents, body: """
                mode: \(mode)
                \(mode == "upsert" ? "key: [id]" : "")
                columns: \(Self.columns)
                batch_size: 2
                """)
            // The upsert stage's name is random: the server names it in COPY errors.
            let error = outcome.node("store")?.error ?? "no error"
            errors.append(error.replacingOccurrences(of: #"flow_stage_[0-9a-z]+"#, with: "flow_stage", options: .regularExpression))
        }
        #expect(errors[0] == errors[1])
        #expect(errors[0].contains("record 2"), "\(errors[0])")
        #expect(errors[0].contains("nothing was committed"), "\(errors[0])")
    }

    /// Columns whose types all have a simple binary form are loaded with COPY's binary format; a date
    /// column among them sends the rows as text. Both store the same values, from documents and from
    /// parsed records alike.
    static let binaryColumns = """
        { id: bigint, i: integer, s: smallint, d: double precision, b: boolean, t: text, v: varchar(80), \
        j: json, jb: jsonb, tn: text }
        """

    @Test(arguments: ["insert", "upsert", "replace"])
    func binaryAndTextFormatsLoadTheSameRows(mode: String) async throws {
        let target = try TestTarget.make(.postgres)
        let lines = Self.lines + [#"{"id":9,"s":32767,"i":2147483647,"d":5e-324,"b":null,"t":"x"}"#]
        var results: [[[JSON]]] = []
        for format in ["binary", "text"] {
            for documents in [true, false] {
                let table = target.table + "_\(format.prefix(1))" + (documents ? "d" : "r")
                let columns = format == "binary" ? Self.binaryColumns : Self.binaryColumns.replacingOccurrences(of: "tn: text }", with: "tn: text, day: date }")
                let outcome = try await Self.load(lines, table: table, documents: documents, body: """
                    mode: \(mode)
                    \(mode == "upsert" ? "key: [id]" : "")
                    columns: \(columns)
                    extra: ignore
                    batch_size: 3
                    """, batchSize: 3)
                #expect(outcome.node("store")?.error == nil, "\(format) \(documents): \(outcome.node("store")?.error ?? "")")
                results.append(try await target.rows(
                    "SELECT row_to_json(x)::text FROM (SELECT id, i, s, d, b, t, v, j, jb, tn FROM \(table)) x ORDER BY id"))
            }
        }
        #expect(results[0].count == 8)
        for other in results.dropFirst() { #expect(other == results[0]) }
        let text = results[0].map { $0.first?.stringValue ?? "" }.joined(separator: "\n")
        #expect(text.contains(#""d":"Infinity""#), "\(text)")
        #expect(text.contains(#""i":-2147483648"#), "\(text)")
        #expect(text.contains(#""d":5e-324"#), "\(text)")
    }

    /// An integer too large for its smallint or integer column: the binary format finds it before
    /// the server (which says so for text), and both name the record and the column.
    @Test(arguments: [true, false])
    func outOfRangeIntegersNameTheRecordInBothFormats(documents: Bool) async throws {
        let target = try TestTarget.make(.postgres)
        let lines = [#"{"id":1,"s":5}"#, #"{"id":2,"s":-32768}"#, #"{"id":3,"s":40000}"#, #"{"id":4}"#]
        for format in ["binary", "text"] {
            let table = target.table + "_\(format.prefix(1))" + (documents ? "d" : "r")
            let columns = format == "binary" ? "{ id: bigint, s: smallint }" : "{ id: bigint, s: smallint, day: date }"
            let outcome = try await Self.load(lines, table: table, documents: documents, body: """
                columns: \(columns)
                batch_size: 2
                """)
            let error = outcome.node("store")?.error ?? "no error"
            #expect(error.contains(#"record 2, column "s""#), "\(format): \(error)")
            #expect(error.contains(format == "binary" ? "number 40000 is out of range for smallint" : #"value "40000" is out of range for type smallint"#),
                    "\(format): \(error)")
            #expect(error.contains("nothing was committed"), "\(format): \(error)")
            // Created in the load's transaction, the table is gone with it.
            #expect(try await target.rows("SELECT to_regclass('\(table)') IS NULL") == [[.bool(true)]])
        }
    }

    @Test func extraIgnoreDropsUnknownFieldsOnBothPaths() async throws {
        let target = try TestTarget.make(.postgres)
        let lines = [#"{"id":1,"zzz":[1],"t":"a","\u0074":"escaped key"}"#, #"{"q":1,"id":2}"#]
        var results: [[[JSON]]] = []
        for documents in [true, false] {
            let table = target.table + (documents ? "_d" : "_r")
            let outcome = try await Self.load(lines, table: table, documents: documents,
                                              body: "columns: { id: bigint, t: text }\nextra: ignore")
            #expect(outcome.node("store")?.error == nil, "\(outcome.node("store")?.error ?? "")")
            results.append(try await Self.contents(target, table))
        }
        #expect(results[0] == [[#"{"id":1,"t":"escaped key"}"#], [#"{"id":2,"t":null}"#]])
        #expect(results[0] == results[1])
    }
}
