import FlowCore
import FlowJSON
import Foundation
import Testing

@testable import FlowNodes

/// `transform` run through the real loader, planner and engine with JSONata: inline -> transform -> collector.
@Suite struct TransformTests {
    static let products = [
        #"{"id": 1, "title": "Mascara", "price": 10, "stock": 5, "status": "In Stock", "email": "a@x"}"#,
        #"{"id": 2, "title": "Lipstick", "price": 20, "stock": 0, "status": "In Stock", "email": "b@x"}"#,
        #"{"id": 3, "title": "Powder", "price": 30, "stock": 2, "status": "Low Stock", "email": "c@x"}"#,
        #"{"id": 4, "title": "Palette", "price": 40, "stock": 1, "status": "In Stock", "email": "d@x"}"#,
    ].joined(separator: ", ").wrapped

    /// A workflow whose `t` node is `transform` with `body` (indented by 4 spaces) over `records`.
    static func workflow(_ records: String, _ body: String, bucket: String, params: String = "{}") -> String {
        """
        name: transform-test
        params: \(params)
        nodes:
          src:
            type: inline
            records: \(records)
          t:
            type: transform
            input: src
        \(body.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
          sink:
            type: test_collector
            input: t
            bucket: \(bucket)
        """
    }

    /// Runs `body` over `records` and returns the collected records and the failure of node `t`.
    static func transform(
        _ body: String, records: String = products, params: String = "{}", batchSize: Int = 500
    ) async -> (records: [JSON], error: String?) {
        let bucket = UUID().uuidString
        let outcome = await WorkflowHarness.run(
            workflow(records, body, bucket: bucket, params: params), buckets: [bucket], batchSize: batchSize)
        #expect(!outcome.diagnostics.hasErrors, "\(outcome.diagnostics.items)")
        return (outcome.collected[bucket] ?? [], outcome.node("t")?.error)
    }

    static func validate(_ body: String) -> [Diagnostic] {
        WorkflowHarness.validate(workflow(products, body, bucket: "unused")).errors
    }

    /// Where `needle` is in the workflow built from `body`, `offset` characters further right.
    static func location(of needle: String, in body: String, offset: Int = 0) -> FlowCore.SourceLocation? {
        let lines = workflow(products, body, bucket: "unused").split(separator: "\n", omittingEmptySubsequences: false)
        guard let line = lines.firstIndex(where: { $0.contains(needle) }), let range = lines[line].range(of: needle) else { return nil }
        let column = lines[line].unicodeScalars.distance(from: lines[line].startIndex, to: range.lowerBound) + 1
        return FlowCore.SourceLocation(file: "test.yaml", line: line + 1, column: column + offset)
    }

    // MARK: Filter

    @Test func filterKeepsOnlyRecordsWhereItIsTrue() async {
        let (records, error) = await Self.transform(#"filter: status = "In Stock" and stock > 0"#, batchSize: 1)
        #expect(error == nil)
        #expect(records.compactMap { $0["id"] } == [1, 4])
        // Untouched records pass as they are.
        #expect(records.first?.objectValue.map { Array($0.keys) } == ["id", "title", "price", "stock", "status", "email"])
    }

    @Test func filterDropsNonBooleanResults() async {
        // `title` is a non-empty string, truthy in JSONata, but not `true`.
        let (records, _) = await Self.transform("filter: title")
        #expect(records.isEmpty)
        let (truthy, _) = await Self.transform("filter: $boolean(missing) or $boolean(title)")
        #expect(truthy.count == 4)
    }

    // MARK: Set, rename, remove

    @Test func setIsSequentialAndUndefinedRemovesTheField() async {
        let (records, error) = await Self.transform("""
            filter: id = 1
            set:
              total: price * stock
              with_tax: total * 1.2
              price: nothing.here
              title: $uppercase(title)
            """)
        #expect(error == nil)
        #expect(records == [[
            "id": 1, "title": "MASCARA", "stock": 5, "status": "In Stock", "email": "a@x", "total": 50, "with_tax": 60,
        ]])
        // An existing field keeps its position; new fields are appended in `set` order.
        #expect(records.first?.objectValue.map { Array($0.keys) } == ["id", "title", "stock", "status", "email", "total", "with_tax"])
    }

    @Test func renameAfterSetAndRemoveLast() async {
        let (records, error) = await Self.transform("""
            filter: id <= 2
            set: { value: price * stock }
            rename: { title: name, value: stock_value, absent: whatever }
            remove: [email, status, stock_value_missing]
            """)
        #expect(error == nil)
        #expect(records == [
            ["id": 1, "name": "Mascara", "price": 10, "stock": 5, "stock_value": 50],
            ["id": 2, "name": "Lipstick", "price": 20, "stock": 0, "stock_value": 0],
        ])
        #expect(records.first?.objectValue.map { Array($0.keys) } == ["id", "name", "price", "stock", "stock_value"])
    }

    @Test func removeAcceptsASingleName() async {
        let (records, _) = await Self.transform("remove: email")
        #expect(records.count == 4)
        #expect(records.allSatisfy { $0["email"] == nil })
    }

    // MARK: Expression

    @Test func expressionArrayEmitsSeveralRecordsAndUndefinedDrops() async {
        let (records, error) = await Self.transform("""
            expression: 'stock > 0 ? [{"id": id, "n": 1}, {"id": id, "n": 2}]'
            set: { m: n * 10 }
            """, batchSize: 3)
        #expect(error == nil)
        #expect(records == [
            ["id": 1, "n": 1, "m": 10], ["id": 1, "n": 2, "m": 20],
            ["id": 3, "n": 1, "m": 10], ["id": 3, "n": 2, "m": 20],
            ["id": 4, "n": 1, "m": 10], ["id": 4, "n": 2, "m": 20],
        ])
    }

    @Test func filterRunsOnTheIncomingRecordBeforeExpression() async {
        let (records, error) = await Self.transform("""
            filter: stock > 1
            expression: '{"label": title & " x" & stock}'
            """)
        #expect(error == nil)
        #expect(records == [["label": "Mascara x5"], ["label": "Powder x2"]])
    }

    // MARK: Variables

    @Test func paramsAndRunAreBound() async {
        let (records, error) = await Self.transform("""
            filter: id = 2
            set:
              scaled: price * $params.rate
              currency: $params.currency
              run_id: $type($run.id)
            """, params: "{ rate: { type: number, default: 0.5 }, currency: { type: string, default: EUR } }")
        #expect(error == nil)
        #expect(records.first?["scaled"] == 10)
        #expect(records.first?["currency"] == "EUR")
        #expect(records.first?["run_id"] == "string")
    }

    // MARK: Errors

    @Test func compileErrorInFilterIsLocated() {
        let body = "filter: stock > 0 and ]"
        let errors = Self.validate(body)
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("`filter`") == true, "\(errors)")
        #expect(errors.first?.message.contains("S0") == true, "\(errors)")
        // At the `]`.
        #expect(errors.first?.location == Self.location(of: "stock > 0 and ]", in: body, offset: 14), "\(errors)")
    }

    @Test func compileErrorInSetEntryIsLocated() {
        let body = """
            set:
              ok: price
              x: price + * 2
            """
        let errors = Self.validate(body)
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("`set.x`") == true, "\(errors)")
        // JSONata reads `*` as a wildcard step, so the syntax error is at the `2`.
        #expect(errors.first?.message.contains(#"S0201: Syntax error: "2""#) == true, "\(errors)")
        #expect(errors.first?.location == Self.location(of: "price + * 2", in: body, offset: 10), "\(errors)")
    }

    @Test func undeclaredParameterIsReported() {
        let errors = Self.validate("set: { x: price * $params.nope }")
        #expect(errors.contains { $0.message.contains("undefined parameter `nope`") }, "\(errors)")
    }

    @Test func transformWithNothingToDoIsAnError() {
        let errors = Self.validate("description: idle")
        #expect(errors.contains { $0.message.contains("nothing to do") }, "\(errors)")
    }

    @Test func runtimeErrorNamesTheRecordAndField() async {
        let body = """
            set:
              ok: price
              final_price: price + title
            """
        let (_, error) = await Self.transform(body, batchSize: 2)
        #expect(error?.contains("record 0, set.final_price: T2002: ") == true, "\(error ?? "")")
        // The hint points at the expression in the workflow file.
        let at = Self.location(of: "price + title", in: body)
        #expect(error?.contains("test.yaml:\(at?.line ?? 0):") == true, "\(error ?? "")")
    }

    @Test func runtimeErrorCountsRecordsAcrossBatches() async {
        let (records, error) = await Self.transform("filter: price > 25 and $number(title) > 0", batchSize: 1)
        #expect(records.isEmpty)
        #expect(error?.contains("record 2, filter: D3030: ") == true, "\(error ?? "")")
    }

    @Test func setOnANonObjectRecordIsAnError() async {
        let (_, error) = await Self.transform("set: { x: 1 }", records: "[{a: 1}, 5]")
        #expect(error?.contains("record 1: `set`, `rename` and `remove` need an object, but the record is a number") == true,
                "\(error ?? "")")
    }
}

extension String {
    /// `[self]`: a YAML flow sequence.
    fileprivate var wrapped: String { "[" + self + "]" }
}
