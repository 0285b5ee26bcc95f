import FlowCore

/// The node types that ship with flow. Adding a node type: write its folder under `nodes/` and
/// add it here; `GeneratedFilesTests` fails until docs/nodes.md and docs/workflow.schema.json are
/// regenerated.
public enum BuiltinNodes {
    public static let types: [any Node.Type] = [
        FileInputNode.self,
        FileOutputNode.self,
        InlineNode.self,
        JDBCOutputNode.self,
        JSONExtractNode.self,
        KafkaConsumeNode.self,
        KafkaProduceNode.self,
        NotifyNode.self,
        SleepNode.self,
        SQLQueryNode.self,
        TransformNode.self,
        WebAPINode.self,
    ]

    public static var registry: NodeRegistry { NodeRegistry(types) }
}
