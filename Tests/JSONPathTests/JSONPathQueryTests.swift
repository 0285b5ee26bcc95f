import FlowJSON
import Testing

@testable import JSONPath

@Suite struct JSONPathQueryTests {
    let record: JSON = [
        "id": 7, "price": 9.5,
        "products": [
            ["id": 1, "price": 3, "name": "bolt"],
            ["id": 2, "price": 12, "name": "nut"],
            ["id": 3, "price": 8.0, "name": "washer", "tags": ["x"]],
        ],
    ]

    @Test func selectsRecordsAndFields() throws {
        #expect(try JSONPathQuery("$.products[*]").select(record) == record["products"]!.arrayValue!)
        #expect(try JSONPathQuery("$.products[*].id").select(record) == [1, 2, 3])
        #expect(try JSONPathQuery("$.price").select(record) == [9.5])
        #expect(try JSONPathQuery("$.missing").select(record) == [])
        #expect(try JSONPathQuery("$.products[-1].name").select(record) == ["washer"])
        #expect(try JSONPathQuery("$.products[::-2].id").select(record) == [3, 1])
        #expect(try JSONPathQuery("$.products[?@.price > 5].id").select(record) == [2, 3])
        #expect(try JSONPathQuery("$..id").select(record) == [7, 1, 2, 3])
    }

    @Test func selectFirstStopsAtTheFirstNode() throws {
        #expect(try JSONPathQuery("$..id").selectFirst(record) == 7)
        #expect(try JSONPathQuery("$.products[?@.price < 10].name").selectFirst(record) == "bolt")
        #expect(try JSONPathQuery("$.id").selectFirst(record) == 7)
        #expect(try JSONPathQuery("$.nothing[*]").selectFirst(record) == nil)
    }

    @Test func singularQueries() throws {
        #expect(try JSONPathQuery("$").isSingular)
        #expect(try JSONPathQuery("$.a['b'][0][-1]").isSingular)
        #expect(try !JSONPathQuery("$.a[*]").isSingular)
        #expect(try !JSONPathQuery("$..a").isSingular)
        #expect(try !JSONPathQuery("$['a','b']").isSingular)
        #expect(try !JSONPathQuery("$[0:1]").isSingular)
    }

    @Test func valuesAndLocationsAgree() throws {
        for text in ["$", "$.products[*].id", "$.products[1:].name", "$..*", "$.products[?@.tags].tags[0]", "$.id"] {
            let query = try JSONPathQuery(text)
            let located = query.selectLocated(record)
            #expect(located.map(\.value) == query.select(record), "\(text)")
        }
        let located = try JSONPathQuery("$.products[*].id").selectLocated(record)
        #expect(
            located.map(\.path.description) == [
                "$['products'][0]['id']", "$['products'][1]['id']", "$['products'][2]['id']",
            ])
    }

    @Test func filterComparisonsFollowRFC9535() throws {
        let values: JSON = [1, 1.0, "1", true, nil, [1], ["a": 1], "b", "B", "é"]
        #expect(try JSONPathQuery("$[?@ == 1]").select(values) == [1, 1.0])
        #expect(throws: JSONPathError.self, "literals are scalars only") { try JSONPathQuery("$[?@ == [1]]") }
        #expect(try JSONPathQuery("$[?@ < 'c']").select(values) == ["1", "b", "B"])
        #expect(try JSONPathQuery("$[?@ > 'b']").select(values) == ["é"])
        #expect(try JSONPathQuery("$[?@ <= true]").select(values) == [true], "booleans are equal, never ordered")
        #expect(try JSONPathQuery("$[?@.a == 1]").select(values) == [["a": 1]])
        let nothingEqualsNothing = try JSONPathQuery("$[?@.x == @.y]").select(values)
        #expect(nothingEqualsNothing.count == values.arrayValue!.count)
    }

    @Test func namesAndStringsCompareByScalars() throws {
        // "é" precomposed and "e" + combining acute are canonically equivalent, but different names.
        var object = JSONObject()
        object.appendUnchecked("\u{E9}", 1)
        object.appendUnchecked("e\u{301}", 2)
        let document = JSON.object(object)
        #expect(try JSONPathQuery("$['e\\u0301']").select(document) == [2])
        #expect(try JSONPathQuery("$['\u{E9}']").select(document) == [1])
        #expect(try JSONPathQuery("$[?@ == 2]").selectLocated(document).map(\.path.description) == ["$['e\u{301}']"])
        let strings: JSON = ["\u{E9}", "e\u{301}"]
        #expect(try JSONPathQuery("$[?@ == 'e\\u0301']").select(strings).count == 1)
        #expect(try JSONPathQuery("$[?length(@) == 2]").select(strings).count == 1, "length counts scalars")
    }

    @Test func functionExtensions() throws {
        #expect(try JSONPathQuery("$.products[?count(@.*) == 4].id").select(record) == [3])
        #expect(try JSONPathQuery("$.products[?length(@.name) == 3].id").select(record) == [2])
        #expect(try JSONPathQuery("$.products[?value(@.tags[*]) == 'x'].id").select(record) == [3])
        #expect(try JSONPathQuery("$.products[?match(@.name, '[a-z]{4}')].id").select(record) == [1])
        #expect(try JSONPathQuery("$.products[?search(@.name, 'sh')].id").select(record) == [3])
    }

    @Test func rejectsExcessiveNesting() {
        let deep = "$[?" + String(repeating: "(", count: 500) + "@" + String(repeating: ")", count: 500) + "]"
        #expect(throws: JSONPathError.self) { try JSONPathQuery(deep) }
        let fine = "$[?" + String(repeating: "(", count: 50) + "@" + String(repeating: ")", count: 50) + "]"
        #expect(throws: Never.self) { try JSONPathQuery(fine) }
    }

    @Test func queriesAreSharedAcrossTasks() async throws {
        let query = try JSONPathQuery("$.products[?match(@.name, '[a-z]+') && search(@.name, $.products[0].name)].id")
        let record = record
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { (0..<200).reduce(0) { sum, _ in sum + query.select(record).count } } }
            return await group.reduce(0, +)
        }
        #expect(counts == 8 * 200)
    }

    @Test func equalityIsByText() throws {
        #expect(try JSONPathQuery("$.a") == JSONPathQuery("$.a"))
        #expect(try JSONPathQuery("$.a") != JSONPathQuery("$['a']"))
        #expect(try JSONPathQuery("$.a").description == "$.a")
    }
}
