import FlowCore
import FlowJSON
import FlowTestSupport
import Foundation
import Testing

/// Every pagination style end to end against the fixture server, with exact page and item counts.
@Suite struct WebAPIPaginationTests {
    /// The integers (or `id`s) on every page, flattened, for pages whose items are at `key`.
    static func items(_ records: [JSON], _ key: String) -> [Int] {
        records.flatMap { ($0[key]?.arrayValue ?? []).compactMap { $0.intValue ?? $0["id"]?.intValue } }
    }

    @Test func offsetStopsAtTotal() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/offset/25
            paginate: { style: offset, limit: 10, offset_param: skip, total: $.total }
            """)
        #expect(out.error == nil)
        #expect(out.records.count == 3)
        #expect(Self.items(out.records, "products") == Array(1...25))
        #expect(out.records.map { $0["skip"] } == [0, 10, 20])
        #expect(out.metrics["requests"] == 3)
    }

    @Test func offsetWithoutTotalStopsAtTheFirstShortPage() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/offset/30
            paginate: { style: offset, limit: 10, items: "$.products[*]" }
            """)
        #expect(out.error == nil)
        // 10, 10, 10, then an empty page ends it.
        #expect(out.records.count == 4)
        #expect(Self.items(out.records, "products") == Array(1...30))
    }

    @Test func offsetInParallelKeepsPageOrder() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/offset/25
            paginate: { style: offset, limit: 2, total: $.total }
            parallel: 4
            """)
        #expect(out.error == nil)
        #expect(out.records.count == 13)
        #expect(Self.items(out.records, "products") == Array(1...25))
    }

    @Test func pageNumberWithTotalPages() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/page-number/25
            paginate: { style: page_number, total_pages: $.total_pages }
            """)
        #expect(out.error == nil)
        #expect(out.records.map { $0["page"] } == [1, 2, 3])
        #expect(Self.items(out.records, "data") == Array(1...25))
    }

    @Test func pageNumberStopsAtAnEmptyPage() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/page-number/20
            paginate: { style: page_number, items: "$.data[*]", limit: 5, limit_param: per_page }
            """)
        #expect(out.error == nil)
        // Four full pages of 5, then an empty fifth page.
        #expect(out.records.count == 5)
        #expect(Self.items(out.records, "data") == Array(1...20))
    }

    @Test func pageNumberInParallel() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/page-number/95
            paginate: { style: page_number, total_pages: $.total_pages }
            parallel: 3
            """)
        #expect(out.error == nil)
        #expect(out.records.map { $0["page"]?.intValue } == Array(1...10))
        #expect(Self.items(out.records, "data") == Array(1...95))
    }

    @Test(arguments: [1, 3])
    func aRetriedPageKeepsItsPlace(parallel: Int) async throws {
        let base = try WebAPIHarness.base()
        let key = UUID().uuidString
        let out = await WebAPIHarness.run("""
            url: "\(base)/page-number/95?key=\(key)&fail_page=4"
            paginate: { style: page_number, total_pages: $.total_pages }
            retry: { attempts: 3, initial: 10ms }
            parallel: \(parallel)
            """)
        #expect(out.error == nil)
        #expect(out.records.map { $0["page"]?.intValue } == Array(1...10))
        #expect(Self.items(out.records, "data") == Array(1...95))
        #expect(out.metrics["retries"] == 1)
        let requested = try await Self.requestedPages(base, key: key)
        #expect(requested.count == 11)
        if parallel == 1 {
            // One at a time: page 5 is not sent before page 4 has succeeded.
            #expect(requested == [1, 2, 3, 4, 4, 5, 6, 7, 8, 9, 10])
        }
    }

    /// The pages the fixture's /page-number served for `key`, in order.
    static func requestedPages(_ base: String, key: String) async throws -> [Int] {
        let address = "\(base)/stats?key=pages:\(key)"
        let data = try await offThePool { try Data(contentsOf: URL(string: address)!) }
        return (try JSONSerialization.jsonObject(with: data) as? [Int]) ?? []
    }

    @Test func cursor() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/cursor/25
            query: { limit: 10 }
            paginate: { style: cursor, cursor: $.next_cursor }
            """)
        #expect(out.error == nil)
        #expect(out.records.count == 3)
        #expect(Self.items(out.records, "items") == Array(1...25))
    }

    @Test func jsonLinkFollowsRelativeLinks() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/json-link/4
            paginate: { style: json_link, next: $.next }
            """)
        #expect(out.error == nil)
        #expect(out.records.count == 4)
        #expect(Self.items(out.records, "items") == [11, 12, 21, 22, 31, 32, 41, 42])
    }

    @Test func headerLink() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/link-pages/5
            paginate: { style: header_link }
            emit: response
            """)
        #expect(out.error == nil)
        #expect(out.records.count == 5)
        #expect(out.records.map { $0["body"]?["page"]?.intValue } == [1, 2, 3, 4, 5])
        #expect(out.records.map { $0["page"]?.intValue } == [1, 2, 3, 4, 5])
        #expect(out.records.last?["url"]?.stringValue?.hasSuffix("/link-pages/5?page=5") == true)
    }

    @Test func maxPagesStopsEveryStyle() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/cursor/100
            paginate: { style: cursor, cursor: $.next_cursor, max_pages: 3 }
            """)
        #expect(out.error == nil)
        #expect(out.records.count == 3)
    }

    @Test func maxPagesWithKnownPages() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/page-number/1000000
            paginate: { style: page_number, total_pages: $.total_pages, max_pages: 4 }
            parallel: 2
            """)
        #expect(out.error == nil)
        #expect(out.records.map { $0["page"]?.intValue } == [1, 2, 3, 4])
    }

    @Test func theSameNextLinkForeverIsAnError() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/same-next
            paginate: { style: json_link, next: $.next }
            """)
        #expect(out.status == .failed)
        #expect(out.error?.contains("pagination loop") == true, "\(out.error ?? "")")
        #expect(out.error?.contains("node `fetch` (webapi)") == true)
        // Page 1 and the first /same-next?page=2 went out; the repeated link was refused.
        #expect(out.metrics["requests"] == 2)
    }

    @Test func aRepeatedCursorIsAnError() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/same-cursor
            paginate: { style: cursor, cursor: $.next_cursor }
            """)
        #expect(out.status == .failed)
        #expect(out.error?.contains("returned the cursor `again` again") == true, "\(out.error ?? "")")
    }

    @Test func aServerIgnoringTheOffsetIsAnError() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/same-page
            paginate: { style: offset, limit: 2, total: $.total }
            """)
        #expect(out.status == .failed)
        #expect(out.error?.contains("page 2 is identical to page 1") == true, "\(out.error ?? "")")
    }

    /// Pages kept as validated JSON text (the consumer reads documents) paginate exactly like
    /// parsed pages: totals, cursors, items and page order are read from the bytes.
    @Test func pagesKeptAsTextPaginateTheSame() async throws {
        let base = try WebAPIHarness.base()
        let configs = [
            "url: \(base)/offset/25\npaginate: { style: offset, limit: 10, total: $.total }",
            "url: \(base)/offset/25\npaginate: { style: offset, limit: 2, total: $.total }\nparallel: 4",
            "url: \(base)/offset/25\npaginate: { style: offset, limit: 10, items: \"$.products[*]\" }",
            "url: \(base)/page-number/25\npaginate: { style: page_number, total_pages: $.total_pages }",
            "url: \(base)/page-number/20\npaginate: { style: page_number, items: \"$.data[*]\", limit: 5, limit_param: per_page }",
        ]
        for config in configs {
            let parsed = await WebAPIHarness.run(config)
            let text = await WebAPIHarness.run(config, documents: true)
            #expect(parsed.error == nil && text.error == nil, "\(config): \(text.error ?? parsed.error ?? "")")
            #expect(!text.records.isEmpty)
            #expect(text.records == parsed.records, "\(config)")
            #expect(text.metrics["requests"] == parsed.metrics["requests"], "\(config)")
        }
        for parallel in [1, 3] {
            let out = await WebAPIHarness.run("""
                url: \(base)/same-page
                paginate: { style: offset, limit: 2, total: $.total }
                parallel: \(parallel)
                """, documents: true)
            #expect(out.status == .failed)
            #expect(out.error?.contains("page 2 is identical to page 1") == true, "\(out.error ?? "")")
        }
    }

    /// Compact pages (no whitespace but a trailing newline) are kept as the documents without a
    /// copy; they paginate, and repeat, exactly like pages that had to be compacted.
    @Test func compactPagesPaginateTheSame() async throws {
        let base = try WebAPIHarness.base()
        let configs = [
            "url: \(base)/offset/25?compact=1\npaginate: { style: offset, limit: 10, total: $.total }",
            "url: \(base)/offset/25?compact=1\npaginate: { style: offset, limit: 2, total: $.total }\nparallel: 4",
            "url: \(base)/offset/25?compact=1\npaginate: { style: offset, limit: 10, items: \"$.products[*]\" }",
            "url: \(base)/cursor/25?compact=1\npaginate: { style: cursor, cursor: $.next_cursor }",
            "url: \(base)/page-number/25?compact=1\npaginate: { style: page_number, total_pages: $.total_pages }",
        ]
        for config in configs {
            let pretty = await WebAPIHarness.run(config.replacingOccurrences(of: "?compact=1", with: ""), documents: true)
            let compact = await WebAPIHarness.run(config, documents: true)
            let parsed = await WebAPIHarness.run(config)
            #expect(pretty.error == nil && compact.error == nil && parsed.error == nil,
                    "\(config): \(compact.error ?? pretty.error ?? parsed.error ?? "")")
            #expect(!compact.records.isEmpty)
            #expect(compact.records == pretty.records, "\(config)")
            #expect(compact.records == parsed.records, "\(config)")
        }
        for parallel in [1, 3] {
            // Pages known from the total, and pages followed one by one.
            for style in ["offset, limit: 2, total: $.total", "page_number, limit: 2, total: $.total",
                          "offset, limit: 2, items: \"$.products[*]\""] where parallel == 1 || style.contains("total") {
                let out = await WebAPIHarness.run("""
                    url: \(base)/same-page?compact=1
                    paginate: { style: \(style) }
                    parallel: \(parallel)
                    """, documents: true)
                #expect(out.status == .failed, "\(style): \(out.diagnostics)")
                #expect(out.error?.contains("page 2 is identical to page 1") == true, "\(style): \(out.error ?? "")")
            }
        }
    }

    @Test func fileURLsAreOnePage() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("webapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"products":[{"id":1},{"id":2},{"id":3}],"total":3,"skip":0,"limit":3}"#.utf8)
            .write(to: dir.appendingPathComponent("data/products.json"))
        let out = await WebAPIHarness.run("""
            url: file:data/products.json
            query: { select: "id,title" }
            auth: { type: api_key, in: query, value: k }
            paginate: { style: offset, limit: 100, offset_param: skip, total: $.total }
            """, file: dir.appendingPathComponent("wf.yaml").path)
        #expect(out.error == nil)
        #expect(out.records.count == 1)
        #expect(Self.items(out.records, "products") == [1, 2, 3])
    }

    /// The DESIGN.md products workflow, offline: webapi (offset pagination over a `file:` URL) ->
    /// json_extract `records: $.products[*]` on the default output.
    @Test func productsWorkflowOffline() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("webapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let products = (1...150).map { #"{"id":\#($0),"title":"p\#($0)","availabilityStatus":"In Stock"}"# }.joined(separator: ",")
        try Data(#"{"products":[\#(products)],"total":150,"skip":0,"limit":150}"#.utf8)
            .write(to: dir.appendingPathComponent("data/products.json"))
        let bucket = UUID().uuidString
        let outcome = await WorkflowHarness.run("""
            name: products
            params:
              api_url: { type: string, default: "file:data/products.json" }
            nodes:
              fetch:
                type: webapi
                url: ${params.api_url}
                paginate: { style: offset, limit: 100, offset_param: skip, total: $.total }
              products:
                type: json_extract
                input: fetch
                records: $.products[*]
                fields: { id: $.id, title: $.title }
              sink:
                type: test_collector
                input: products
                bucket: \(bucket)
            """, buckets: [bucket], file: dir.appendingPathComponent("products.yaml").path)
        #expect(!outcome.diagnostics.hasErrors, "\(outcome.diagnostics.items)")
        #expect(outcome.node("fetch")?.error == nil)
        let records = outcome.collected[bucket] ?? []
        #expect(records.count == 150)
        #expect(records.first == ["id": 1, "title": "p1"])
        #expect(outcome.node("fetch")?.recordsOut == 1)
    }

    @Test func jsonLinksBetweenFiles() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("webapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"items":[1,2],"next":"p2.json"}"#.utf8).write(to: dir.appendingPathComponent("p1.json"))
        try Data(#"{"items":[3],"next":null}"#.utf8).write(to: dir.appendingPathComponent("p2.json"))
        let out = await WebAPIHarness.run("""
            url: file:p1.json
            paginate: { style: json_link, next: $.next }
            """, file: dir.appendingPathComponent("wf.yaml").path)
        #expect(out.error == nil)
        #expect(Self.items(out.records, "items") == [1, 2, 3])
    }
}
