import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import Testing

/// WeCom specifics: the markdown body and its 4096-byte limit.
@Suite("WeCom group robot")
struct WeComRobotTests {
    @Test("the message is markdown with a bold title and a markdown link, the key only in the query")
    func markdownBody() async throws {
        try await RobotHarness.with(.wecom) { harness in
            _ = try await harness.adapter.deliver(harness.request(), deadline: harness.deadline)
            let message = try #require(harness.simulator.messages().first)
            #expect(message.messageType == "markdown")
            #expect(message.text.hasPrefix("**" + SampleDisclosures.policy.title + "**"))
            #expect(message.text.hasSuffix("[查看原文](https://lycy.jl.gov.cn/zwgk/2026/0012.html)"))
            #expect(!message.body.contains(RobotHarness.token))
        }
    }

    @Test("without a canonical URL the notice has no link line")
    func noLinkWithoutPortal() async throws {
        try await RobotHarness.with(.wecom) { harness in
            _ = try await harness.adapter.deliver(harness.request(canonicalURL: nil), deadline: harness.deadline)
            let message = try #require(harness.simulator.messages().first)
            #expect(!message.text.contains("查看原文"))
            #expect(message.text.hasSuffix("发布日期：2026-03-05"))
        }
    }

    @Test("content over the limit is refused by the simulator with 40058, permanent")
    func contentLimit() async throws {
        var limits = RobotDialect.wecom.defaultLimits
        limits.maxContentBytes = 300
        try await RobotHarness.with(.wecom, limits: limits) { harness in
            let error = try #require(await harness.failure(of: harness.request()))
            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("40058"))
            #expect(harness.simulator.rejectedCount(.tooLong) == 1)
        }
    }
}
