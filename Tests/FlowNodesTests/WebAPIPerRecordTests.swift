import FlowCore
import FlowJSON
import Foundation
import Testing

/// One request per input record (enrichment), `parallel` in flight, output in input order.
@Suite struct WebAPIPerRecordTests {
    @Test func parallelRequestsKeepInputOrder() async throws {
        let base = try WebAPIHarness.base()
        let ids = Array(1...20)
        let records = "[" + ids.map { "{id: \($0)}" }.joined(separator: ", ") + "]"
        let out = await WebAPIHarness.run("""
            url: "\(base)/item/${record.id}"
            query: { delay_ms: 15 }
            parallel: 5
            """, records: records)
        #expect(out.error == nil)
        // Smaller ids answer later, so completion order differs from input order.
        #expect(out.records.map { $0["id"]?.intValue } == ids)
        #expect(out.records.first?["name"] == "item-1")
        #expect(out.metrics["requests"] == 20)
    }

    @Test func recordFieldsInQueryHeadersAndBody() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: "\(base)/echo/${record.id}"
            method: POST
            query: { name: "${record.name}" }
            headers: { X-Id: "${record.id}" }
            body: { id: "${record.id}", label: "item ${record.name}" }
            emit: response
            """, records: "[{id: 7, name: seven}, {id: 8, name: eight}]")
        #expect(out.error == nil)
        #expect(out.records.count == 2)
        let first = try #require(out.records.first)
        #expect(first["record"] == ["id": 7, "name": "seven"])
        #expect(first["body"]?["path"] == "/echo/7")
        #expect(first["body"]?["query"] == "name=seven")
        #expect(first["body"]?["body"] == #"{"id":7,"label":"item seven"}"#)
        #expect((first["body"]?["headers"]?.arrayValue ?? []).contains(["X-Id", "7"]))
        #expect(out.records.last?["body"]?["path"] == "/echo/8")
    }

    @Test func eachRecordPaginates() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: "\(base)/page-number/${record.n}"
            paginate: { style: page_number, total_pages: $.total_pages }
            parallel: 2
            """, records: "[{n: 25}, {n: 5}, {n: 12}]")
        #expect(out.error == nil)
        // 3 + 1 + 2 pages, grouped by record in input order.
        #expect(out.records.map { $0["page"]?.intValue } == [1, 2, 3, 1, 1, 2])
    }

    @Test func aFailingRecordFailsTheNode() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: "\(base)/status/${record.code}"
            retry: { attempts: 1 }
            """, records: "[{code: 200}, {code: 403}]")
        #expect(out.status == .failed)
        #expect(out.error?.contains("/status/403 answered 403") == true, "\(out.error ?? "")")
    }
}
