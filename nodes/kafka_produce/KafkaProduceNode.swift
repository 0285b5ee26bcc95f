import FlowCore
import FlowJSON
import FlowKafka
import JSONPath

/// Sends every input record to a Kafka topic and completes only when each message is acknowledged.
///
/// Idempotent with `acks=all` unless `config` says otherwise. Messages are enqueued one by one
/// from reused key/value buffers (librdkafka copies the bytes, so no array is allocated per
/// record); librdkafka batches them on the wire. At the end the producer is flushed until
/// `flush_timeout`; anything not acknowledged by then counts as failed, and any failure fails the
/// node with the count and the first error.
struct KafkaProduceNode: Node {
    static let spec = NodeSpec(
        type: "kafka_produce",
        summary: "Send each input record to a Kafka topic; completes when every message is acknowledged.",
        inputs: .required,
        producesRecords: false,
        fields: [
            KafkaNodeSupport.brokersField,
            FieldSpec("topic", .string, required: true, "The topic to write to."),
            FieldSpec(
                "key", .expression,
                "Expression over the record giving the message key, e.g. `customer_id`. Strings are sent as UTF-8 text, other values as compact JSON; null or no result sends no key. Without `key` messages have no key."),
            FieldSpec(
                "value", .expression,
                "Expression over the record giving the message value. Strings are sent as UTF-8 text, other values as compact JSON. Default: the whole record as compact JSON."),
            FieldSpec("headers", .map(.string), "Headers added to every message: name -> text."),
            FieldSpec(
                "partition", .integer,
                "Send every message to this partition. Default: librdkafka's partitioner (by key hash for keyed messages, so one key always lands in one partition)."),
            FieldSpec(
                "compression", .choice(["none", "gzip", "snappy", "lz4", "zstd"]), default: "none",
                "Compression codec (librdkafka's `compression.codec`)."),
            KafkaNodeSupport.configField,
            FieldSpec(
                "flush_timeout", .duration, default: "30s",
                "How long to wait at the end for outstanding acknowledgements; messages still unacknowledged then count as failed."),
            KafkaNodeSupport.connectTimeoutField,
        ],
        example: """
            publish:
              type: kafka_produce
              input: orders
              brokers: ${env.KAFKA_BROKERS}
              topic: orders
              key: customer_id
              headers: { source: flow }
              compression: lz4
              config:
                security.protocol: SASL_SSL
                sasl.mechanism: PLAIN
                sasl.username: flow
                sasl.password: ${secrets.KAFKA_PASSWORD}
            """)

    let brokers: String
    let topic: String
    let key: (expression: any CompiledExpression, source: String)?
    /// The UTF-8 names of `key` when it is a plain field path (`customer`, `order.id`): then a
    /// record kept as bytes is not parsed for its key.
    let keyPath: [[UInt8]]?
    let value: (expression: any CompiledExpression, source: String)?
    let headers: [(String, [UInt8])]
    let partition: Int32?
    let properties: [String: String]
    let flushTimeout: Duration
    let connectTimeout: Duration

    init(config: NodeConfig, context: NodeBuildContext) throws {
        var diagnostics = Diagnostics()
        func collect<T>(_ body: () throws -> T) -> T? {
            do {
                return try body()
            } catch let error as Diagnostic {
                diagnostics.append(error)
            } catch let error as Diagnostics {
                diagnostics.append(contentsOf: error)
            } catch {
                diagnostics.append(config.error("\(error)", field: "config"))
            }
            return nil
        }
        brokers = collect { try KafkaNodeSupport.brokers(config) } ?? ""
        topic = config.string("topic") ?? ""
        if topic.isEmpty {
            diagnostics.append(config.error("`topic` is empty", field: "topic"))
        }
        key = (collect { try config.expression("key", language: context.language) } ?? nil)
            .map { ($0, config.string("key") ?? "") }
        keyPath = key.flatMap { RecordExpression.fieldPath($0.source) }?.map { Array($0.utf8) }
        value = (collect { try config.expression("value", language: context.language) } ?? nil)
            .map { ($0, config.string("value") ?? "") }
        var headers: [(String, [UInt8])] = []
        for (name, text) in config.value("headers")?.objectValue ?? [:] {
            headers.append((name, Array((text.stringValue ?? text.serialized()).utf8)))
        }
        self.headers = headers
        if let number = config.int("partition") {
            if number < 0 || number > Int(Int32.max) {
                diagnostics.append(config.error("`partition` must be 0 or more", field: "partition"))
            }
            partition = Int32(clamping: number)
        } else {
            partition = nil
        }
        var properties =
            collect {
                try KafkaNodeSupport.properties(
                    config,
                    reserved: [
                        "bootstrap.servers": "brokers", "metadata.broker.list": "brokers",
                        "compression.codec": "compression", "compression.type": "compression",
                    ])
            } ?? [:]
        if let compression = config.string("compression"), compression != "none" {
            properties["compression.codec"] = compression
        }
        self.properties = properties
        flushTimeout = config.duration("flush_timeout") ?? .seconds(30)
        connectTimeout = config.duration("connect_timeout") ?? .seconds(10)
        if diagnostics.hasErrors { throw diagnostics }
    }

    /// Without `key` and `value` a message is the record's JSON text: taken as bytes when the
    /// upstream node has them.
    var readsDocuments: Bool { value == nil && (key == nil || keyPath != nil) }

    /// The key of a document when `key` is a plain field path (`keyPath`), read from its bytes:
    /// nil for no key; `.none` inside when the document must be parsed and the expression evaluated
    /// instead (a step meets something other than an object, or the value is an array), exactly
    /// where `RecordExpression` leaves its fast path.
    func documentKey(_ text: JSONText, path: [[UInt8]]) -> JSON?? {
        var range = 0..<text.count
        for name in path {
            guard text[range.lowerBound] == UInt8(ascii: "{") else { return .none }
            guard let next = JSONPathStep.member(name, text, range) else { return .some(nil) }
            range = next
        }
        if text[range.lowerBound] == UInt8(ascii: "[") { return .none }
        guard let value = try? JSONScanner.parse(text, range) else { return .none }
        return .some(value)
    }

    func run(_ context: NodeContext) async throws {
        let input = try context.requireInput()
        KafkaNodeSupport.registerSecrets(properties, in: context.masker)
        let producer: KafkaProducer
        do {
            producer = try await KafkaProducer(brokers: brokers, config: properties, connectTimeout: connectTimeout)
        } catch {
            throw KafkaNodeSupport.failure(error, "cannot start a Kafka producer", context, brokers: brokers)
        }
        let key = self.key.map { RecordExpression($0.expression, source: $0.source, bindings: context.scope.bindings) }
        let value = self.value.map {
            RecordExpression($0.expression, source: $0.source, bindings: context.scope.bindings)
        }
        // A checkpoint passes only once everything sent before it is acknowledged by the broker.
        input.onCheckpoint { [flushTimeout, topic] in
            let counts = await producer.flush(deadline: .now + flushTimeout)
            context.counters.set(counts.delivered, for: "messages_delivered")
            guard counts.failed == 0, counts.pending == 0 else {
                let first = counts.firstError.map { String(describing: $0) } ?? "not acknowledged within `flush_timeout`"
                throw NodeError(
                    nodeID: context.nodeID,
                    message: context.masker.mask(
                        "at a checkpoint, \(counts.failed + counts.pending) of \(counts.sent) messages to \(topic) were not delivered: \(first)"))
            }
        }
        var keyBytes: [UInt8] = []
        var valueBytes: [UInt8] = []
        keyBytes.reserveCapacity(64)
        valueBytes.reserveCapacity(512)
        /// The message key: none for no result or null.
        func encodeKey(_ result: JSON?) -> [UInt8]? {
            guard let result, !result.isNull else { return nil }
            keyBytes.removeAll(keepingCapacity: true)
            Self.encode(result, into: &keyBytes)
            return keyBytes
        }
        var index = 0
        var stoppedBy: (any Error)?
        do {
            reading: for try await batch in input.batches {
                if case .documents(let documents) = batch, readsDocuments {
                    // The default value is the record as compact JSON: the document's bytes. A key
                    // that is a plain field path is read from them too.
                    for i in 0..<documents.count {
                        valueBytes.removeAll(keepingCapacity: true)
                        valueBytes.append(contentsOf: documents.bytes[documents.range(i)])
                        var keyValue: JSON?
                        if let keyPath, let key {
                            if let found = documents.withDocument(i, { documentKey($0, path: keyPath) }) {
                                keyValue = found
                            } else {
                                keyValue = try evaluate(key, try documents.value(i), index: index, field: "key", context)
                            }
                        }
                        try await producer.send(
                            topic: topic, partition: partition, key: encodeKey(keyValue), value: valueBytes,
                            headers: headers)
                        index += 1
                    }
                } else {
                    for record in try batch.records() {
                        valueBytes.removeAll(keepingCapacity: true)
                        if let value {
                            guard let result = try evaluate(value, record, index: index, field: "value", context) else {
                                throw NodeError(
                                    nodeID: context.nodeID, message: "record \(index): `value` gave no result",
                                    hint: "the expression must give a value for every record")
                            }
                            Self.encode(result, into: &valueBytes)
                        } else {
                            record.write(to: &valueBytes)
                        }
                        let keyValue = try key.flatMap { try evaluate($0, record, index: index, field: "key", context) }
                        try await producer.send(
                            topic: topic, partition: partition, key: encodeKey(keyValue), value: valueBytes,
                            headers: headers)
                        index += 1
                    }
                }
                let counts = producer.deliveryCounts
                context.counters.set(counts.delivered, for: "messages_delivered")
                // The node fails anyway: stop sending rather than pile up more failures.
                if counts.failed > 0 { break reading }
            }
        } catch {
            stoppedBy = error
        }
        let counts = await producer.close(deadline: .now + flushTimeout)
        context.counters.set(counts.delivered, for: "messages_delivered")
        context.counters.set(counts.failed, for: "messages_failed")
        context.counters.set(counts.sent, for: "messages_sent")
        let summary = "\(counts.failed) of \(counts.sent) messages failed, \(counts.delivered) delivered"
        if let stoppedBy {
            if stoppedBy is UpstreamFailure || stoppedBy is CancellationError { throw stoppedBy }
            if counts.failed > 0 || stoppedBy is KafkaError {
                let error = stoppedBy as? NodeError
                throw NodeError(
                    nodeID: context.nodeID,
                    message: context.masker.mask("\(error?.message ?? "sending to \(topic) failed: \(stoppedBy)") (\(summary))"),
                    hint: error?.hint)
            }
            throw stoppedBy
        }
        if counts.failed > 0 {
            let first = counts.firstError.map { String(describing: $0) } ?? "unknown error"
            throw NodeError(
                nodeID: context.nodeID,
                message: context.masker.mask(
                    "\(counts.failed) of \(counts.sent) messages failed: \(first)"
                        + (index < context.counters.recordsIn ? " (stopped sending after the first failure)" : "")),
                hint: counts.firstError.map { $0.isTimeout || $0.name.hasPrefix("_PURGE") } == true
                    ? "messages not acknowledged within `flush_timeout` (\(DurationParser.format(flushTimeout))) or librdkafka's `message.timeout.ms` count as failed"
                    : nil)
        }
    }

    @inline(__always)
    private func evaluate(
        _ expression: RecordExpression, _ record: JSON, index: Int, field: String, _ context: NodeContext
    ) throws -> JSON? {
        do {
            return try expression.evaluate(record)
        } catch {
            throw NodeError(
                nodeID: context.nodeID, message: context.masker.mask("record \(index): cannot evaluate `\(field)`: \(error)"))
        }
    }

    /// Strings as their UTF-8 text, anything else as compact JSON.
    @inline(__always)
    static func encode(_ value: JSON, into bytes: inout [UInt8]) {
        if case .string(let text) = value {
            bytes.append(contentsOf: text.utf8)
        } else {
            value.write(to: &bytes)
        }
    }
}
