import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import NIOCore
import Testing

/// The behaviour every group robot shares, run against each platform's simulator.
@Suite("Group robots (WeCom, DingTalk, Feishu)")
struct GroupRobotTests {
    static let rawIDNumber = "220621197903082519"

    @Test(
        "a notice is posted, signed as the platform checks, with title, 文号, publisher, date and link",
        arguments: RobotDialect.allCases)
    func publishes(dialect: RobotDialect) async throws {
        try await RobotHarness.with(dialect) { harness in
            let request = harness.request()
            let receipt = try await harness.adapter.deliver(request, deadline: harness.deadline)

            #expect(receipt.remoteID == request.idempotencyKey)
            #expect(receipt.remoteURL == nil)  // a chat message has no address of its own
            #expect(harness.simulator.rejectedCounts.isEmpty)
            let messages = harness.simulator.messages()
            try #require(messages.count == 1)
            let text = messages[0].text
            let item = SampleDisclosures.policy
            #expect(text == harness.noticeText(item))
            for expected in [
                item.title, "吉林林草发〔2026〕12号", item.publisher.name, "2026-03-05",
                "https://lycy.jl.gov.cn/zwgk/2026/0012.html",
            ] {
                #expect(text.contains(expected), "missing \(expected)")
            }
            if dialect == .dingtalk { #expect(messages[0].title == item.title) }
            #expect(harness.adapter.capabilities == [.publish])
        }
    }

    @Test("a wrong secret is permanent, names the platform code and never the secret", arguments: RobotDialect.allCases)
    func wrongSecret(dialect: RobotDialect) async throws {
        let wrong = "SECwrong-wrong-wrong-0000"
        try await RobotHarness.with(
            dialect, adapterToken: dialect == .wecom ? "wrong-key-77" : RobotHarness.token, adapterSecret: wrong
        ) { harness in
            let error = try #require(await harness.failure(of: harness.request()))
            #expect(error.failure.permanent)
            #expect(error.description.contains(harness.badSecretCode))
            #expect(error.description.contains("operator must fix credentials"))
            for secret in [wrong, "wrong-key-77", RobotHarness.secret, RobotHarness.token] {
                #expect(!error.description.contains(secret))
            }
            #expect(harness.simulator.acceptedCount == 0)
        }
    }

    @Test("a wrong key or token is permanent and names the credential to fix", arguments: RobotDialect.allCases)
    func wrongToken(dialect: RobotDialect) async throws {
        try await RobotHarness.with(dialect, adapterToken: "not-the-token-5521") { harness in
            let error = try #require(await harness.failure(of: harness.request()))

            #expect(error.failure.permanent)
            let fields: [RobotDialect: String] = [
                .wecom: "credentials.key", .dingtalk: "credentials.accessToken", .feishu: "credentials.hookToken",
            ]
            let field = try #require(fields[dialect])
            #expect(error.failure.message.contains(field))
            #expect(!error.description.contains("not-the-token-5521"))
            #expect(harness.simulator.rejectedCount(.badCredential) == 1)
        }
    }

    @Test(
        "the platform's throttle code is retryable, throttled, backing off at least a minute",
        arguments: RobotDialect.allCases)
    func throttleCode(dialect: RobotDialect) async throws {
        try await RobotHarness.with(dialect) { harness in
            harness.simulator.setFaults(RobotFaults(script: [.throttle]))
            let error = try #require(await harness.failure(of: harness.request()))

            #expect(!error.failure.permanent)
            #expect(error.failure.throttled)
            #expect((error.failure.retryAfter ?? 0) >= 60_000)
            #expect(error.description.contains(harness.throttleCode))
            // The platform refused a request: a real attempt, never a deferral.
            #expect(error.deferredFor == nil)
        }
    }

    @Test(
        "the simulator's rate window refuses the message over the limit with the throttle code",
        arguments: RobotDialect.allCases)
    func rateWindow(dialect: RobotDialect) async throws {
        var limits = dialect.defaultLimits
        limits.messagesPerWindow = 3
        limits.window = .seconds(1)
        limits.messagesPerSecond = nil
        try await RobotHarness.with(dialect, limits: limits) { harness in
            for version in 1...3 {
                _ = try await harness.adapter.deliver(harness.request(version: version), deadline: harness.deadline)
            }
            let error = try #require(await harness.failure(of: harness.request(version: 4)))
            // Once the window has passed the platform takes messages again.
            harness.clock.advance(milliseconds: 1_001)
            _ = try await harness.adapter.deliver(harness.request(version: 5), deadline: harness.deadline)

            #expect(error.failure.throttled && !error.failure.permanent)
            #expect(error.deferredFor == nil)
            #expect(error.description.contains(harness.throttleCode))
            #expect(harness.simulator.rejectedCount(.rateLimited) == 1)
            #expect(harness.simulator.acceptedCount == 4)
        }
    }

    @Test(
        "the adapter's own send window defers a notice without posting, until the window has room",
        arguments: RobotDialect.allCases)
    func localWindow(dialect: RobotDialect) async throws {
        try await RobotHarness.with(dialect, options: ["messagesPerWindow": "2", "rateWindow": "1m"]) { harness in
            _ = try await harness.adapter.deliver(harness.request(version: 1), deadline: harness.deadline)
            harness.clock.advance(milliseconds: 10_000)
            _ = try await harness.adapter.deliver(harness.request(version: 2), deadline: harness.deadline)
            let error = try #require(await harness.failure(of: harness.request(version: 3)))
            #expect(harness.simulator.acceptedCount == 2)
            harness.clock.advance(milliseconds: 50_000)
            _ = try await harness.adapter.deliver(harness.request(version: 3), deadline: harness.deadline)

            // A deferral, not a failure: the engine spends no attempt on it.
            #expect(error.deferredFor == 50_000)
            #expect(!error.indicatesOutage)
            #expect(error.description.hasPrefix("deferred delivery"))
            #expect(error.failure.throttled && !error.failure.permanent)
            #expect(error.failure.retryAfter == 50_000)
            #expect(harness.simulator.acceptedCount == 3)
            #expect(harness.simulator.rejectedCounts.isEmpty)
        }
    }

    @Test("5xx answers and dropped connections are retryable", arguments: RobotDialect.allCases)
    func serverErrors(dialect: RobotDialect) async throws {
        try await RobotHarness.with(dialect) { harness in
            harness.simulator.setFaults(RobotFaults(script: [.serverError(status: 503), .drop]))
            let first = try #require(await harness.failure(of: harness.request()))
            let second = try #require(await harness.failure(of: harness.request()))
            let receipt = try await harness.adapter.deliver(harness.request(), deadline: harness.deadline)

            #expect(!first.failure.permanent && first.httpStatus == 503)
            #expect(!second.failure.permanent)
            #expect(receipt.remoteID != nil)
            #expect(harness.simulator.acceptedCount == 1)
        }
    }

    @Test(
        "a long notice is split at line breaks into parts within the limit that reassemble the text",
        arguments: RobotDialect.allCases)
    func splitsLongNotice(dialect: RobotDialect) async throws {
        var limits = dialect.defaultLimits
        var options: [String: String] = [:]
        let limit: Int
        switch dialect {
        case .wecom:
            limit = 4096  // the platform's own limit
        case .dingtalk:
            limit = 1024
            limits.maxContentBytes = limit
            options["maxPartBytes"] = "1024"
        case .feishu:
            limit = 2048
            limits.maxBodyBytes = 2400
            options["maxPartBytes"] = "2048"
        }
        try await RobotHarness.with(dialect, limits: limits, options: options) { harness in
            let item = Self.longItem()
            let receipt = try await harness.adapter.deliver(harness.request(item), deadline: harness.deadline)

            let messages = harness.simulator.messages()
            #expect(messages.count > 1)
            #expect(messages.allSatisfy { $0.text.utf8.count <= limit })
            #expect(messages.map(\.text).joined(separator: "\n") == harness.noticeText(item))
            #expect(harness.simulator.rejectedCounts.isEmpty)
            #expect(receipt.remoteID == harness.request(item).idempotencyKey)
            if dialect == .dingtalk {
                #expect(messages.last?.title?.hasSuffix("（\(messages.count)/\(messages.count)）") == true)
            }
        }
    }

    /// Before, the retry posted every part again and the group saw part 1 twice.
    @Test(
        "when part 2 fails the failure carries the progress and the retry posts only the rest",
        arguments: RobotDialect.allCases)
    func partFailureResendsOnlyTheRest(dialect: RobotDialect) async throws {
        let partBytes = dialect == .feishu ? 2048 : 512
        try await RobotHarness.with(dialect, options: ["maxPartBytes": String(partBytes)]) { harness in
            let item = Self.longItem()
            harness.simulator.setFaults(RobotFaults(script: [.accept, .serverError(status: 502)]))
            let error = try #require(await harness.failure(of: harness.request(item)))
            #expect(harness.simulator.acceptedCount == 1)
            let parts = ChannelText.split(harness.noticeText(item), maxUTF8Bytes: partBytes).count
            #expect(parts > 1)
            #expect(!error.failure.permanent)
            #expect(error.failure.message.contains("part 2 of \(parts)"))
            let progress = try #require(error.failure.progress)
            #expect(progress.hasPrefix("robot-parts:v1:1/\(parts):"))

            // The engine keeps the progress as the delivery's remote id and hands it back.
            harness.clock.advance(milliseconds: 60_000)
            var retry = harness.request(item)
            retry.remoteID = progress
            _ = try await harness.adapter.deliver(retry, deadline: harness.deadline)
            #expect(harness.simulator.acceptedCount == parts, "each part once: part 1 is not posted again")

            // A progress of another version, or of a notice split differently, starts from part 1.
            harness.clock.advance(milliseconds: 60_000)
            var other = harness.request(item)
            other.remoteID = progress.replacingOccurrences(of: "robot-parts:v1:", with: "robot-parts:v7:")
            _ = try await harness.adapter.deliver(other, deadline: harness.deadline)
            #expect(harness.simulator.acceptedCount == 2 * parts)
        }
    }

    @Test("a withdrawal is refused as needing manual action and posts nothing", arguments: RobotDialect.allCases)
    func withdrawalNeedsManualAction(dialect: RobotDialect) async throws {
        try await RobotHarness.with(dialect) { harness in
            var request = harness.request(operation: .withdraw)
            request.withdrawReason = "文件已废止"
            let error = try #require(await harness.failure(of: request))

            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("manual action"))
            #expect(harness.simulator.acceptedCount == 0)
        }
    }

    @Test("no unmasked ID number reaches the group", arguments: RobotDialect.allCases)
    func noUnmaskedIDNumber(dialect: RobotDialect) async throws {
        try await RobotHarness.with(dialect) { harness in
            var careless = SampleDisclosures.notice
            careless.summary = "举报人李某（身份证号码：\(Self.rawIDNumber)）反映的问题已核实。"
            // Masked as the engine does for a public channel, and unmasked (a government-audience robot).
            _ = try await harness.adapter.deliver(
                harness.request(SampleDisclosures.penaltyOnNaturalPerson), deadline: harness.deadline)
            _ = try await harness.adapter.deliver(harness.request(careless, masked: false), deadline: harness.deadline)

            let messages = harness.simulator.messages()
            #expect(messages.count == 2)
            #expect(messages.allSatisfy { !$0.body.contains(Self.rawIDNumber) })
            #expect(messages[1].text.contains("220621********2519"))
        }
    }

    @Test(
        "check reports configuration and credentials and probes reachability without posting",
        arguments: RobotDialect.allCases)
    func check(dialect: RobotDialect) async throws {
        try await RobotHarness.with(dialect) { harness in
            let checks = await harness.adapter.check(deadline: harness.deadline)
            #expect(checks.map(\.name) == ["configuration", "credentials", "reachability"])
            #expect(checks.allSatisfy { $0.passed })
            #expect(harness.simulator.probeCount == 1)
            #expect(harness.simulator.acceptedCount == 0)
            #expect(
                checks.allSatisfy {
                    !$0.detail.contains(RobotHarness.token) && !$0.detail.contains(RobotHarness.secret)
                })

            await harness.simulator.stop()
            // AsyncHTTPClient retries a refused connect until the deadline; a short one keeps the test quick.
            let down = await harness.adapter.check(deadline: NIODeadline.now() + TimeAmount.milliseconds(800))
            #expect(down.first { $0.name == "reachability" }?.passed == false)
        }
    }

    /// An item whose summary is ~40 lines of Chinese text (~6 KB): more than one WeCom message.
    static func longItem() -> DisclosureItem {
        var item = SampleDisclosures.notice
        item.summary = (1...40).map { "第\($0)条：各地要通过门户网站、政务新媒体等渠道开展森林草原防火宣传，落实火源管控。" }
            .joined(separator: "\n")
        return item
    }
}
