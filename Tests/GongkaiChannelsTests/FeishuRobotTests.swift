import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import Testing

/// Feishu specifics: the body signature, its timestamp window and the request size.
@Suite("Feishu group robot")
struct FeishuRobotTests {
    @Test("the signature matches an independently computed HMAC-SHA256 keyed by timestamp and secret (openssl)")
    func signatureVector() {
        // printf '' | openssl dgst -sha256 -hmac "$(printf '1700000000\nSECa1b2c3')" -binary | base64
        #expect(
            FeishuRobot.sign(timestamp: 1_700_000_000, secret: "SECa1b2c3")
                == "u61KB3CGK5V8mSZ0pc/utGxT0oatNjJ7WobmuHZgKWI=")
    }

    @Test("a server clock more than an hour off is refused with 19021, permanent")
    func clockSkew() async throws {
        let skewed = SteppedClock(start: SystemWallClock().now() + 3_700_000)
        try await RobotHarness.with(.feishu, adapterClock: skewed) { harness in
            let error = try #require(await harness.failure(of: harness.request()))
            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("19021"))
            #expect(harness.simulator.rejectedCount(.staleTimestamp) == 1)
        }
    }

    @Test("the request body is signed in seconds and carries msg_type text")
    func bodyShape() async throws {
        try await RobotHarness.with(.feishu) { harness in
            _ = try await harness.adapter.deliver(harness.request(), deadline: harness.deadline)
            let message = try #require(harness.simulator.messages().first)
            #expect(message.messageType == "text")
            #expect(message.body.contains(#""timestamp":"\#(harness.clock.now() / 1000)""#))
        }
    }

    @Test("a body over the size limit is refused with 9499 as a permanent error")
    func bodyLimit() async throws {
        var limits = RobotDialect.feishu.defaultLimits
        limits.maxBodyBytes = 400
        try await RobotHarness.with(.feishu, limits: limits) { harness in
            let error = try #require(await harness.failure(of: harness.request()))
            #expect(error.failure.permanent)
            #expect(error.failure.message.contains("9499"))
            #expect(harness.simulator.rejectedCount(.tooLong) == 1)
        }
    }
}
