import CRdKafka

/// librdkafka configuration properties, with secrets hidden from every description and error.
public enum KafkaConfig {
    /// True for properties whose values must never appear in logs or errors: names containing
    /// `password` or `secret`, or starting with `sasl.` or `ssl.key`.
    public static func isSensitive(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.contains("password") || lowered.contains("secret") || lowered.hasPrefix("sasl.")
            || lowered.hasPrefix("ssl.key")
    }

    /// `name=value` pairs sorted by name, sensitive values replaced by `***`.
    static func redactedDescription(_ properties: [String: String]) -> String {
        let pairs = properties.keys.sorted().map { name in
            "\(name)=\(isSensitive(name) ? "***" : properties[name]!)"
        }
        return "[" + pairs.joined(separator: ", ") + "]"
    }

    /// `text` with the value of every sensitive property replaced by `***` (librdkafka quotes values
    /// in its configuration errors).
    static func redact(_ text: String, _ properties: [String: String]) -> String {
        var text = text
        for (name, value) in properties where isSensitive(name) && !value.isEmpty {
            text = text.replacingAll(value, with: "***")
        }
        return text
    }

    /// Builds an `rd_kafka_conf_t`; the caller owns the result until `rd_kafka_new` succeeds.
    static func make(_ properties: [String: String], operation: String) throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        for name in properties.keys.sorted() {
            let value = properties[name]!
            var errorText = [CChar](repeating: 0, count: 512)
            let result = rd_kafka_conf_set(conf, name, value, &errorText, errorText.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let detail = redact(String(cBuffer: errorText), properties)
                throw .configuration(
                    "invalid configuration property \(name): \(detail)", operation: operation)
            }
        }
        return conf
    }
}

extension String {
    /// `self` with every occurrence of `target` replaced (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
