import FlowCore
import FlowJSON
import JSONPath

/// How `webapi` finds the next page (the `paginate:` block). Every style is explicit: nothing is
/// guessed from the response.
struct Pagination: Sendable {
    enum Style: Sendable {
        /// The next URL is at a JSONPath in the body; stops when it is missing, null or empty.
        case jsonLink(next: JSONPathQuery)
        /// The next URL is the `Link: <...>; rel="next"` header (RFC 8288); stops when there is none.
        case headerLink
        /// `offset_param` grows by `limit`; stops at `total` or at the first short or empty page.
        case offset(limit: Int, limitParam: String, offsetParam: String, start: Int, total: JSONPathQuery?)
        /// `page_param` counts up from `start`; stops at `total_pages`, at `total` items, or at the first
        /// short (with `limit`) or empty page.
        case pageNumber(param: String, start: Int, limit: Int?, limitParam: String, totalPages: JSONPathQuery?, total: JSONPathQuery?)
        /// The cursor at a JSONPath is sent back as `cursor_param`; stops when there is none.
        case cursor(cursor: JSONPathQuery, param: String)
    }

    var style: Style
    /// Where the items of a page are, to detect a short or empty page; nil: the body itself when it
    /// is an array.
    var items: JSONPathQuery?
    var maxPages: Int

    static let styles = ["json_link", "header_link", "offset", "page_number", "cursor"]
    static let defaultMaxPages = 10_000

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec("style", .choice(styles), required: true, "`json_link`, `header_link`, `offset`, `page_number` or `cursor`."),
        FieldSpec("next", .jsonPath, "json_link: JSONPath of the next page's URL in the body (absolute or relative)."),
        FieldSpec("limit", .integer, "offset: page size (required); page_number: page size to send, if any."),
        FieldSpec("limit_param", .string, "offset, page_number: the page size parameter (default `limit`)."),
        FieldSpec("offset_param", .string, "offset: the offset parameter (default `offset`)."),
        FieldSpec("page_param", .string, "page_number: the page parameter (default `page`)."),
        FieldSpec("start", .integer, "offset: first offset (default 0); page_number: first page (default 1)."),
        FieldSpec("total", .jsonPath, "offset, page_number: JSONPath of the total number of items."),
        FieldSpec("total_pages", .jsonPath, "page_number: JSONPath of the number of pages."),
        FieldSpec("items", .jsonPath,
                  "offset, page_number: JSONPath of the page's items (e.g. `$.data[*]`), to stop at a short or empty page; default: the body when it is an array."),
        FieldSpec("cursor", .jsonPath, "cursor: JSONPath of the next cursor in the body."),
        FieldSpec("cursor_param", .string, "cursor: the parameter that sends the cursor back (default `cursor`)."),
        FieldSpec("max_pages", .integer, "Stop after this many pages, with a warning (default 10000)."),
    ]

    static let keys: [String: (required: [String], allowed: Set<String>)] = [
        "json_link": (["next"], ["next"]),
        "header_link": ([], []),
        "offset": (["limit"], ["limit", "limit_param", "offset_param", "start", "total", "items"]),
        "page_number": ([], ["page_param", "start", "limit", "limit_param", "total", "total_pages", "items"]),
        "cursor": (["cursor"], ["cursor", "cursor_param"]),
    ]

    /// True when every page's request is known once the first page arrived, so pages can be fetched in parallel.
    var knowsAllPages: Bool {
        switch style {
        case .offset(_, _, _, _, let total): return total != nil
        case .pageNumber(_, _, let limit, _, let totalPages, let total): return totalPages != nil || (total != nil && limit != nil)
        default: return false
        }
    }

    /// Builds the pagination from a validated block, collecting located errors (JSONPaths included).
    static func parse(_ config: NodeConfig, into diagnostics: inout Diagnostics) -> Pagination? {
        guard let object = config.value("paginate")?.objectValue,
              let style = object["style"]?.stringValue, let keys = keys[style] else { return nil }
        var ok = true
        for key in keys.required where object[key] == nil {
            diagnostics.append(config.error("`paginate` style `\(style)` needs `\(key)`", field: "paginate",
                                            hint: Pagination.fieldSpecs.first { $0.name == key }?.description))
            ok = false
        }
        for (key, _) in object where key != "style" && key != "max_pages" && !keys.allowed.contains(key) {
            diagnostics.append(config.error("`\(key)` does not apply to `paginate` style `\(style)`", field: "paginate", key,
                                            hint: keys.allowed.isEmpty ? "`\(style)` takes no other keys than `max_pages`"
                                                : "keys for `\(style)`: " + keys.allowed.sorted().joined(separator: ", ") + ", max_pages"))
            ok = false
        }
        func path(_ key: String) -> JSONPathQuery? {
            guard let text = object[key]?.stringValue else { return nil }
            do throws(JSONPathError) {
                return try JSONPathQuery(text)
            } catch {
                diagnostics.append(.error(
                    "node `\(config.nodeID)` (webapi): invalid JSONPath in `paginate.\(key)`: \(error.description)",
                    at: config.location("paginate", offset: error.offset, path: [key]),
                    hint: text.hasPrefix("$") ? nil : "a JSONPath query starts with `$`: `$.\(text)`"))
                ok = false
                return nil
            }
        }
        func positive(_ key: String, minimum: Int) -> Int? {
            guard let value = object[key] else { return nil }
            guard let n = value.intValue, n >= minimum else {
                diagnostics.append(config.error("`paginate.\(key)` must be an integer of at least \(minimum)", field: "paginate", key))
                ok = false
                return nil
            }
            return n
        }
        let maxPages = positive("max_pages", minimum: 1) ?? defaultMaxPages
        let items = path("items")
        let limit = positive("limit", minimum: 1)
        let limitParam = object["limit_param"]?.stringValue ?? "limit"
        var parsed: Style?
        switch style {
        case "json_link":
            if let next = path("next") { parsed = .jsonLink(next: next) }
        case "header_link":
            parsed = .headerLink
        case "offset":
            let start = positive("start", minimum: 0) ?? 0
            let total = path("total")
            if let limit { parsed = .offset(limit: limit, limitParam: limitParam, offsetParam: object["offset_param"]?.stringValue ?? "offset", start: start, total: total) }
        case "page_number":
            let start = positive("start", minimum: 0) ?? 1
            let totalPages = path("total_pages")
            let total = path("total")
            if total != nil, limit == nil {
                diagnostics.append(config.error("`paginate.total` with style `page_number` needs `limit` to count pages", field: "paginate", "total",
                                                hint: "add `limit:` (the page size), or use `total_pages:`"))
                ok = false
            }
            parsed = .pageNumber(param: object["page_param"]?.stringValue ?? "page", start: start, limit: limit,
                                 limitParam: limitParam, totalPages: totalPages, total: total)
        case "cursor":
            if let cursor = path("cursor") { parsed = .cursor(cursor: cursor, param: object["cursor_param"]?.stringValue ?? "cursor") }
        default:
            break
        }
        guard ok, let parsed else { return nil }
        return Pagination(style: parsed, items: items, maxPages: maxPages)
    }

    /// The number of items on a page, or nil when it cannot be told.
    func itemCount(_ document: PageBody) throws -> Int? {
        if let items { return try document.count(items) }
        return try document.arrayCount()
    }

    /// A number at `query` in `document` (an integer, or a numeric string).
    static func number(_ query: JSONPathQuery, in document: PageBody) throws -> Int? {
        switch try document.first(query) {
        case .int(let n)?: return n
        case .double(let d)? where d.isFinite: return Int(d)
        case .string(let s)?: return Int(s)
        default: return nil
        }
    }

    /// A link or cursor at `query`: a non-empty string or a number; nil stops the pagination.
    static func token(_ query: JSONPathQuery, in document: PageBody) throws -> String? {
        switch try document.first(query) {
        case .string(let s)? where !s.isEmpty: return s
        case .int(let n)?: return String(n)
        case .double(let d)?: return JSON.format(double: d)
        default: return nil
        }
    }
}
