import Foundation
import GongkaiChannels
import GongkaiCore
import Testing

/// Issue 12 §3: where the shipped channel files send consultations, their
/// adoption reports and responses by default.
@Suite("Routing defaults of the new kinds")
struct NewKindsRoutingTests {
    static func channel(_ file: String) throws -> ChannelDefinition {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("channels/\(file)")
        return try ChannelFileLoader.parse(try String(contentsOf: url, encoding: .utf8), source: "channels/\(file)")
    }

    /// The kinds among consultation, feedback and response the channel delivers.
    static func takes(_ definition: ChannelDefinition) -> Set<DisclosureItem.Kind> {
        let samples = [SampleDisclosures.consultation, SampleDisclosures.feedback, SampleDisclosures.response]
        return Set(samples.filter { definition.routing.decide($0, audience: definition.audience) == .deliver }.map(\.kind))
    }

    @Test(arguments: [
        ("portal.yaml", [DisclosureItem.Kind.consultation, .feedback, .response]),
        ("platform.yaml", [.consultation, .feedback, .response]),
        ("open-data-webhook.yaml", [.consultation, .feedback, .response]),
        ("wechat.yaml", [.consultation, .response]),
        ("weibo.yaml", [.consultation, .response]),
        ("wecom-robot.yaml", [.consultation, .feedback, .response]),
        ("credit-feed.yaml", []),
    ])
    func shippedChannelFilesRouteThem(file: String, kinds: [DisclosureItem.Kind]) throws {
        #expect(Self.takes(try Self.channel(file)) == Set(kinds))
    }

    @Test func newMediaTakesConsultationsAndResponsesButNotTheAdoptionReport() {
        let rule = RoutingRule(kinds: RoutingRule.newMediaKinds)
        #expect(rule.decide(SampleDisclosures.consultation, audience: .public) == .deliver)
        #expect(rule.decide(SampleDisclosures.urgentResponse, audience: .public) == .deliver)
        #expect(rule.decide(SampleDisclosures.feedback, audience: .public) == .skip("routing: kind feedback is not routed to this channel"))
        #expect(RoutingRule.newMediaKindNames == ["policy", "interpretation", "consultation", "response"])
    }
}
