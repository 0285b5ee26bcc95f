import Testing

@testable import FlowPostgres

@Suite("Connection state machine")
struct ConnectionStateMachineTests {
    @Test("one operation at a time")
    func oneAtATime() {
        var machine = ConnectionStateMachine()
        #expect(machine.startOperation() == .run)
        #expect(machine.startOperation() == .failBusy)
        machine.finishOperation()
        #expect(machine.state == .idle)
        #expect(machine.startOperation() == .run)
    }

    @Test("close wins over a running operation and happens once")
    func closeDuringOperation() {
        var machine = ConnectionStateMachine()
        #expect(machine.startOperation() == .run)
        #expect(machine.close() == .closeHandle)
        machine.finishOperation()
        #expect(machine.state == .closed)
        #expect(machine.startOperation() == .failClosed)
        #expect(machine.close() == .none)
    }
}
