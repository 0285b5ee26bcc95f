import FlowCore
import FlowJSON
import FlowKafka

/// Fields and helpers shared by `kafka_produce` and `kafka_consume`.
enum KafkaNodeSupport {
    static let brokersField = FieldSpec(
        "brokers", .oneOf([.string, .list(.string)]), required: true,
        "Bootstrap brokers: `host:port`, several separated by commas, or a list.")
    static let configField = FieldSpec(
        "config", .map(.oneOf([.string, .integer, .number, .boolean])),
        "Any librdkafka property, for SASL/SSL and tuning (e.g. `security.protocol: SASL_SSL`, `linger.ms: 20`). The values of properties whose names contain `password` or `secret` or start with `sasl.` or `ssl.key` are masked in logs and errors; pass credentials as `${secrets.NAME}`."
    ).secretKeys(KafkaConfig.isSensitive)
    static let connectTimeoutField = FieldSpec(
        "connect_timeout", .duration, default: "10s",
        "How long to wait for a broker to answer when the node starts; a wrong address fails after this.")

    /// `brokers` as librdkafka's `bootstrap.servers`: comma-separated, blanks removed.
    static func brokers(_ config: NodeConfig) throws -> String {
        let list = (config.strings("brokers") ?? [])
            .flatMap { $0.split(separator: ",") }
            .map { String($0.filter { !$0.isWhitespace }) }
            .filter { !$0.isEmpty }
        guard !list.isEmpty else {
            throw config.error("`brokers` is empty", field: "brokers", hint: "e.g. `brokers: 127.0.0.1:9092`")
        }
        return list.joined(separator: ",")
    }

    /// The `config` field as librdkafka properties. `reserved` maps property names the node sets
    /// itself to the field to use instead.
    static func properties(_ config: NodeConfig, reserved: [String: String]) throws -> [String: String] {
        var properties: [String: String] = [:]
        var diagnostics = Diagnostics()
        for (name, value) in config.value("config")?.objectValue ?? [:] {
            if let field = reserved[name] {
                diagnostics.append(config.error(
                    "`\(name)` is set by the node", field: "config", name, hint: "use `\(field)` instead"))
                continue
            }
            switch value {
            case .string(let text): properties[name] = text
            case .int(let number): properties[name] = String(number)
            case .double(let number): properties[name] = JSON.format(double: number)
            case .bool(let flag): properties[name] = flag ? "true" : "false"
            default:
                diagnostics.append(config.error("`\(name)` must be a string, number or boolean", field: "config", name))
            }
        }
        if diagnostics.hasErrors { throw diagnostics }
        return properties
    }

    /// Hides the values of sensitive properties in everything the run prints or stores.
    static func registerSecrets(_ properties: [String: String], in masker: SecretMasker) {
        for (name, value) in properties where KafkaConfig.isSensitive(name) {
            masker.add(value)
        }
    }

    /// A node failure for a Kafka client error, secrets masked, with a hint for connection problems.
    static func failure(_ error: any Error, _ what: String, _ context: NodeContext, brokers: String) -> NodeError {
        var hint: String?
        if let kafka = error as? KafkaError, kafka.name == "CONNECTION" {
            hint = "check `brokers` (\(brokers)) and that the broker is reachable; `connect_timeout` sets how long to wait"
        }
        return NodeError(
            nodeID: context.nodeID, message: context.masker.mask("\(what): \(error)"),
            hint: hint.map(context.masker.mask))
    }

    /// Standard base64 with padding (RFC 4648), for binary keys, values and headers.
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 2 < bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var n = UInt32(bytes[index]) << 16
            if rest == 2 { n |= UInt32(bytes[index + 1]) << 8 }
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
