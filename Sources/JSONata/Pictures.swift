import FlowJSON

enum NumberPicture {
    static func format(_ n: Double, picture: String, options: Value?) throws(JSONataError) -> String {
        throw JSONataError(code: "D3080")
    }
}

enum IntegerPicture {
    static func format(_ n: Double, picture: String) throws(JSONataError) -> String {
        throw JSONataError(code: "D3130")
    }
    static func parse(_ s: String, picture: String) throws(JSONataError) -> Double? {
        throw JSONataError(code: "D3130")
    }
}

enum DateTimeFormat {
    static func format(millis: Int64, picture: String?, timezone: String?) throws(JSONataError) -> String {
        throw JSONataError(code: "D3130")
    }
    static func parse(_ s: String, picture: String) throws(JSONataError) -> Int64? {
        throw JSONataError(code: "D3130")
    }
    static func parseISO(_ s: String) throws(JSONataError) -> Int64 {
        throw JSONataError(code: "D3110")
    }
}
