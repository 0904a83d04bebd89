import AsyncHTTPClient
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import NIOCore
import NIOHTTP1
import Testing

/// DingTalk specifics: the 加签 signature and its one-hour timestamp window.
@Suite("DingTalk group robot")
struct DingTalkRobotTests {
    @Test("the signature matches an independently computed HMAC-SHA256 (openssl) before URL-encoding")
    func signatureVector() {
        // printf '1700000000000\nSECa1b2c3' | openssl dgst -sha256 -hmac SECa1b2c3 -binary | base64
        #expect(
            DingTalkRobot.sign(timestamp: 1_700_000_000_000, secret: "SECa1b2c3")
                == "r3A3qrlgRa+TdR5aXyvO01zn0wmdf5B/XKtKbV42SDc=")
    }

    @Test("a server clock more than an hour off is refused with 310000 as a permanent error naming the clock")
    func clockSkew() async throws {
        let skewed = SteppedClock(start: SystemWallClock().now() - 3_700_000)
        try await RobotHarness.with(.dingtalk, adapterClock: skewed) { harness in
            let error = try #require(await harness.failure(of: harness.request()))
            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("310000"))
            #expect(error.failure.message.contains("clock"))
            #expect(harness.simulator.rejectedCount(.staleTimestamp) == 1)
        }
    }

    @Test("text over the platform's limit is refused by the simulator with 460101, permanent")
    func contentLimit() async throws {
        var limits = RobotDialect.dingtalk.defaultLimits
        limits.maxContentBytes = 300
        try await RobotHarness.with(.dingtalk, limits: limits) { harness in
            let error = try #require(await harness.failure(of: harness.request()))
            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("460101"))
            #expect(harness.simulator.rejectedCount(.tooLong) == 1)
        }
    }
}

/// DingTalk's answer codes as the custom-robot documentation gives them.
@Suite("DingTalk answer codes")
struct DingTalkCodeTests {
    @Test("410100 (the platform throttling) is held and retried like 130101, not a permanent refusal")
    func platformThrottleIsRetried() async throws {
        // Before this change 410100 fell through to "refused by the platform", permanent: dead at once.
        try await RobotHarness.with(.dingtalk) { harness in
            harness.simulator.setFaults(RobotFaults(script: [.platformThrottle]))
            let error = try #require(await harness.failure(of: harness.request()))
            #expect(!error.failure.permanent)
            #expect(error.failure.throttled)
            #expect(error.failure.message.contains("410100"))
            #expect(harness.simulator.rejectedCount(.injectedPlatformThrottle) == 1)
            // The next try goes through.
            #expect(await harness.failure(of: harness.request()) == nil)
        }
    }

    @Test("a request without an access token is answered 300005, which the adapter reports as a credential to fix")
    func missingTokenIs300005() async throws {
        try await RobotHarness.with(.dingtalk) { harness in
            var request = HTTPClientRequest(url: harness.simulator.endpoint + "?timestamp=1&sign=x")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: #"{"msgtype":"markdown","markdown":{"title":"t","text":"x"}}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 16)
            #expect(String(buffer: body).contains("300005"))
            #expect(harness.simulator.rejectedCount(.missingCredential) == 1)
        }
        // The robot deleted from its group: the adapter's own request is answered 300005.
        try await RobotHarness.with(.dingtalk) { harness in
            harness.simulator.setFaults(RobotFaults(script: [.robotRemoved]))
            let error = try #require(await harness.failure(of: harness.request()))
            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("300005"))
            #expect(error.failure.message.contains("credentials.accessToken"))
            #expect(harness.simulator.rejectedCount(.missingCredential) == 1)
        }
        try await RobotHarness.with(.dingtalk, adapterToken: "not-the-token") { harness in
            let error = try #require(await harness.failure(of: harness.request()))
            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("300001"))
            #expect(error.failure.message.contains("credentials.accessToken"))
            #expect(!error.failure.message.contains("not-the-token"))
        }
    }
}
