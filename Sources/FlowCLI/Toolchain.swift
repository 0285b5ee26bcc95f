import FlowCore
import FlowExpressions
import FlowNodes

/// The node types and expression language the `flow` binary uses.
public struct Toolchain: Sendable {
    public var registry: NodeRegistry
    public var language: any ExpressionLanguage

    public init(registry: NodeRegistry, language: any ExpressionLanguage) {
        self.registry = registry
        self.language = language
    }

    public static var standard: Toolchain {
        Toolchain(registry: BuiltinNodes.registry, language: JSONataLanguage())
    }
}
