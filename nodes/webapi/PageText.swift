import FlowJSON

/// A page's body as the same-page check compares it with the next page's (a server that ignores
/// `offset` or `page` sends the same page forever), without keeping a second copy of a body that
/// its document adopted (`JSONDocuments(adopting:)`): then the document's bytes and the
/// whitespace trimmed around them, else the body itself. Whether a body is adopted depends only on
/// its bytes, so two pages are equal exactly when their bodies are.
struct PageText: Sendable, Equatable {
    private var leading: [UInt8] = []
    private var text: [UInt8]
    private var trailing: [UInt8] = []

    init(_ body: [UInt8] = []) { text = body }

    /// A body that a document adopted: `around` is the whitespace around it, taken before.
    init(adopted documents: JSONDocuments, around: (leading: [UInt8], trailing: [UInt8])) {
        leading = around.leading
        text = documents.bytes
        trailing = around.trailing
    }

    /// The whitespace that adopting `body` would trim: a few bytes at most, in practice.
    static func whitespace(around body: [UInt8]) -> (leading: [UInt8], trailing: [UInt8]) {
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        let leading = body.prefix(while: isSpace)
        guard leading.count < body.count else { return (Array(leading), []) }
        var start = body.count
        while isSpace(body[start - 1]) { start -= 1 }
        return (Array(leading), Array(body[start...]))
    }

    /// An empty body never counts as the same page.
    var isEmpty: Bool { leading.isEmpty && text.isEmpty && trailing.isEmpty }
}
