import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import Testing

/// DingTalk specifics: the 加签 signature and its one-hour timestamp window.
@Suite("DingTalk group robot")
struct DingTalkRobotTests {
    @Test("the signature matches an independently computed HMAC-SHA256 (openssl) before URL-encoding")
    func signatureVector() {
        // printf '1700000000000\nSECa1b2c3' | openssl dgst -sha256 -hmac SECa1b2c3 -binary | base64
        #expect(
            DingTalkRobotAdapter.sign(timestamp: 1_700_000_000_000, secret: "SECa1b2c3")
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
