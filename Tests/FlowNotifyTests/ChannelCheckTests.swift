import FlowJSON
import FlowNotify
import Testing

@Suite struct ChannelCheckTests {
    func messages(_ channel: String, _ fields: JSON) -> [String] {
        NotifyChannelCheck.problems(channel: channel, fields: fields).map(\.message)
    }

    @Test func validChannelsHaveNoProblems() {
        #expect(messages("slack", ["webhook": "https://hooks.slack.com/services/T/B/X"]).isEmpty)
        #expect(messages("email", ["smtp": "smtps://mail.example.com:465", "from": "Flow <flow@example.com>",
                                   "to": ["a@example.com", "\"Ops Team\" <ops@example.com>"], "cc": "c@localhost",
                                   "username": "u", "password": "p"]).isEmpty)
        #expect(messages("webhook", ["url": "http://127.0.0.1:9/x", "headers": ["X-Token": "abc"]]).isEmpty)
    }

    @Test func wrongSchemesAreReportedWithoutQuotingTheURL() {
        let slack = messages("slack", ["webhook": "ftp://hooks.example.com/T0KEN"])
        #expect(slack == ["`webhook` must be a `https://` or `http://` URL, found `ftp://`"])
        #expect(messages("email", ["smtp": "http://mail.example.com", "from": "a@b", "to": "c@d"])
            == ["`smtp` must be a `smtp://` or `smtps://` URL, found `http://`"])
        #expect(messages("webhook", ["url": "example.com/hook"]) == ["`url` is not a URL"])
        #expect(messages("webhook", ["url": "https:///hook"]) == ["`url` has no host"])
    }

    @Test func badAddressesAreReported() {
        let problems = NotifyChannelCheck.problems(
            channel: "email", fields: ["smtp": "smtp://localhost:25", "from": "flow", "to": ["ok@example.com", "not an address"],
                                       "password": "x"])
        #expect(problems.map(\.message) == [
            "`from` is not an email address: `flow`",
            "`not an address` in `to` is not an email address",
            "`password` is set without `username`",
        ])
        #expect(problems[1].path == ["to", "1"])
    }

    @Test func templatesAreCheckedOnlyOnceResolved() {
        #expect(messages("slack", ["webhook": "${secrets.HOOK}"]).isEmpty)
        #expect(NotifyChannelCheck.problems(channel: "slack", fields: ["webhook": "${secrets.HOOK}"], skipTemplates: false).count == 1)
    }

    @Test func addressesParseWithDisplayNames() {
        #expect(NotifyChannelCheck.parseAddress("Flow <flow@example.com>")?.name == "Flow")
        #expect(NotifyChannelCheck.parseAddress("Flow <flow@example.com>")?.address == "flow@example.com")
        #expect(NotifyChannelCheck.parseAddress("\"Data, Team\" <data@x.io>")?.name == "Data, Team")
        #expect(NotifyChannelCheck.parseAddress("a@@b") == nil)
        #expect(NotifyChannelCheck.parseAddress("a@b..c") == nil)
    }
}
