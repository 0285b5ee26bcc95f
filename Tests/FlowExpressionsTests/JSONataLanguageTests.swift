import FlowCore
import FlowExpressions
import FlowJSON
import Testing

@Suite struct JSONataLanguageTests {
    let language = JSONataLanguage()

    @Test func templatesUseJSONata() throws {
        let scope = RunScope(params: ["name": "flow", "n": 3], env: [:], secrets: [:], run: ["id": "r1"])
        let template = try Template("${$uppercase(params.name)}-${params.n * 2}", language: language)
        #expect(try template.evaluate(scope.object, bindings: scope.bindings) == "FLOW-6")
        let typed = try Template("${params.n + 1}", language: language)
        #expect(try typed.evaluate(scope.object, bindings: scope.bindings) == .int(4))
    }

    @Test func boundExpressionsSeeVariables() throws {
        let expression = try language.compile("price * (1 - $params.discount / 100)")
        let bound = expression.bound(to: ExpressionBindings(["params": ["discount": 10]]))
        #expect(try bound.evaluate(["price": 200]) == .int(180))
        #expect(try bound.evaluate(["other": 1]) == nil)
    }

    @Test func errorsCarryCodeAndPosition() {
        do {
            _ = try language.compile("price +")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.code == "S0207")
            #expect(error.offset != nil)
        }
        do {
            _ = try language.compile("\"a\" + 1").evaluate(nil, bindings: ExpressionBindings())
            Issue.record("expected a type error")
        } catch {
            #expect(error.code == "T2001")
        }
    }

    @Test func invalidExpressionIsLocatedInTheWorkflow() {
        let registry = NodeRegistry([])
        let loader = WorkflowLoader(registry: registry, language: language)
        let (_, diagnostics) = loader.load(text: "params:\n  a: 1\nnodes: {}\n", file: "w.yaml")
        #expect(diagnostics.hasErrors)
    }
}
