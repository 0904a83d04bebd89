import Foundation
import GongkaiCore
import GongkaiMonitoring
import GongkaiService
import GongkaiSimulators
import GongkaiStore
import Logging
import Synchronization
import Testing

/// `logFormat: json` (issue 10 §4): one JSON object per line, one event per attempt,
/// and never a secret, a token or an unmasked ID number.
@Suite("JSON log lines")
struct JSONLogTests {
    /// Lines a ``JSONLogHandler`` wrote, kept instead of going to standard error.
    final class Captured: Sendable {
        let lines = Mutex<[String]>([])

        func logger(label: String = "gongkai", level: Logger.Level = .trace) -> Logger {
            var logger = Logger(label: label) { label in
                JSONLogHandler(label: label, sink: { line in self.lines.withLock { $0.append(line) } })
            }
            logger.logLevel = level
            return logger
        }

        /// Every line parsed as a JSON object; a line that is not one fails the test.
        func objects(sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]] {
            lines.withLock { $0 }.compactMap { line in
                #expect(line.hasSuffix("\n") && !line.dropLast().contains("\n"), "not one line: \(line)", sourceLocation: sourceLocation)
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object != nil, "not a JSON object: \(line)", sourceLocation: sourceLocation)
                return object
            }
        }

        var text: String { lines.withLock { $0.joined() } }
    }

    @Test func eachAttemptIsOneEventWithItsOutcomeAndDecisionAndNoSecret() async throws {
        let captured = Captured()
        let harness = try await EngineHarness(
            faults: WebhookFaults(script: [.serverError(status: 503)]), logger: captured.logger())
        try await harness.submit(SampleDisclosures.penaltyOnNaturalPerson)
        #expect(try await harness.waitUntilSettled())
        try await harness.shutdown()

        let objects = captured.objects()
        let attempts = objects.filter { $0["message"] as? String == "delivery attempt" }
        #expect(attempts.count == 2, "\(captured.text)")
        for event in objects {
            #expect(event["level"] is String && event["label"] is String && event["message"] is String)
            let time = try #require(event["time"] as? String)
            #expect(time.hasSuffix("+08:00") && Timestamp.parseRFC3339(time) != nil, "\(time)")
        }
        for attempt in attempts {
            #expect(attempt["item"] as? String == SampleDisclosures.penaltyOnNaturalPerson.id)
            #expect(attempt["version"] as? Int == 1)
            #expect(attempt["channel"] as? String == "hub")
            #expect(attempt["durationMs"] is Int)
            #expect(attempt["httpStatus"] is Int)
        }
        let failed = try #require(attempts.first)
        #expect(failed["status"] as? String == "retryable")
        #expect(failed["decision"] as? String == "retry")
        #expect((failed["retryAt"] as? String).flatMap(Timestamp.parseRFC3339) != nil)
        let delivered = try #require(attempts.last)
        #expect(delivered["status"] as? String == "ok")
        #expect(delivered["decision"] as? String == "delivered")

        // The webhook's signing secret, and the person's ID number from the item, appear nowhere.
        let text = captured.text
        #expect(!text.contains(harness.secretText))
        #expect(!text.contains(String(harness.secretText.dropFirst("whsec_".count))))
        #expect(!text.contains("220621197903082519"))
    }

    @Test func theHandlerScrubsWhatACallSiteLetsThrough() throws {
        let captured = Captured()
        var logger = captured.logger(label: "gongkai.test")
        logger[metadataKey: "worker"] = "w-1"
        logger.warning(
            "rejected 220621197903082519",
            metadata: [
                "error": "bad signature for whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "header": "Authorization: Bearer gk_abc123_secretsecret",
                "url": "https://api.weixin.qq.com/cgi-bin/draft/add?access_token=ACCESS123",
                "message": "shadowed", "count": .stringConvertible(3), "ok": .stringConvertible(true),
                "nested": ["ids": ["110105194912310029"]],
            ])
        let objects = captured.objects()
        let event = try #require(objects.first)
        #expect(objects.count == 1)
        #expect(event["message"] as? String == "rejected 220621********2519")
        #expect(event["metadata.message"] as? String == "shadowed")
        #expect(event["level"] as? String == "warning")
        #expect(event["label"] as? String == "gongkai.test")
        #expect(event["worker"] as? String == "w-1")
        #expect(event["count"] as? Int == 3)
        #expect(event["ok"] as? Bool == true)
        let text = captured.text
        for secret in ["220621197903082519", "110105194912310029", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "secretsecret", "ACCESS123"] {
            #expect(!text.contains(secret), "\(secret) in \(text)")
        }
        #expect(text.contains("whsec_[redacted]"))
    }

    @Test func aLogFormatIsASettingOfEveryKind() throws {
        func format(_ options: [String: String], _ environment: [String: String]) throws -> String {
            try GongkaiSettings.resolve(options: options, configPath: nil, environment: environment).logFormat
        }
        #expect(try format([:], [:]) == "text")
        #expect(try format([:], ["GONGKAI_LOG_FORMAT": "json"]) == "json")
        #expect(try format(["logFormat": "text"], ["GONGKAI_LOG_FORMAT": "json"]) == "text")
        #expect(throws: (any Error).self) { try format(["logFormat": "xml"], [:]) }
    }
}
