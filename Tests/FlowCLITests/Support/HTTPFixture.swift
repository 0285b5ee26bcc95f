import FlowTestSupport

/// Tests/Fixtures/http_fixture.py, started once per test process (see FlowTestSupport.Fixture).
enum HTTPFixture {
    static var shared: Result<Fixture, any Error> { Fixture.httpResult }
}
