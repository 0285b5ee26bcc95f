import FlowCore
import FlowJSON
import JSONata

/// JSONata as flow's expression language: `when:` conditions, `${...}` interpolation,
/// transform expressions and notification templates all compile through this.
public struct JSONataLanguage: ExpressionLanguage {
    public var limits: JSONataLimits

    public init(limits: JSONataLimits = .default) {
        self.limits = limits
    }

    public func compile(_ source: String) throws(ExpressionError) -> any CompiledExpression {
        do {
            return Compiled(expression: try JSONataExpression(source), limits: limits)
        } catch {
            throw ExpressionError(error)
        }
    }

    struct Compiled: CompiledExpression {
        let expression: JSONataExpression
        let limits: JSONataLimits

        func evaluate(_ input: JSON?, bindings: ExpressionBindings) throws(ExpressionError) -> JSON? {
            do {
                return try expression.evaluate(input, bindings: bindings.values, limits: limits)
            } catch {
                throw ExpressionError(error)
            }
        }

        var inputFields: Set<String>? { expression.inputFields }

        func bound(to bindings: ExpressionBindings) -> any BoundExpression {
            Bound(expression: expression, environment: JSONataEnvironment(bindings.values), limits: limits)
        }
    }

    struct Bound: BoundExpression {
        let expression: JSONataExpression
        let environment: JSONataEnvironment
        let limits: JSONataLimits

        func evaluate(_ input: JSON?) throws(ExpressionError) -> JSON? {
            do {
                return try expression.evaluate(input, environment: environment, limits: limits)
            } catch {
                throw ExpressionError(error)
            }
        }
    }
}

extension ExpressionError {
    /// JSONata reports the position just after the offending token; flow points at its start
    /// when the token is known.
    init(_ error: JSONataError) {
        var offset = error.position
        if let token = error.token, offset >= token.unicodeScalars.count { offset -= token.unicodeScalars.count }
        self.init(code: error.code, message: error.message, offset: max(0, offset))
    }
}
