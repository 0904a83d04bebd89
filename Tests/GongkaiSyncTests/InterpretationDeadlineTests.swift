import Foundation
import GongkaiAudit
import GongkaiService
import GongkaiDemo
import GongkaiChannels
import GongkaiCore
import GongkaiStore
import Testing

/// An interpretation is due within 3 working days of its policy document being
/// shown on the same channel, when that comes before its own 20-day deadline.
@Suite("Interpretation deadline follows its policy")
struct InterpretationDeadlineTests {
    struct FixedClock: WallClock {
        var millis: Int64
        func now() -> Int64 { millis }
    }

    static let calendar = try! WorkCalendar.standard()

    /// Noon in Beijing on `day`, as Unix milliseconds.
    static func noon(_ day: CalendarDate) -> Int64 { Int64(day.dayNumber) * 86_400_000 + 4 * 3_600_000 }

    @Test func dueThreeWorkdaysAfterThePolicyWasShownOnTheSameChannel() async throws {
        // Thursday 2026-11-12: three working days later, across the weekend, is Tuesday 11-17.
        let day = CalendarDate("2026-11-12")!
        let store = try SQLiteOutboxStore.inMemory()
        let definition = ChannelDefinition(id: "hub", kind: .webhook, endpoint: "http://127.0.0.1:9/", secret: .environment("X"))
        let console = OutboxConsole(
            store: store, channels: [definition], clock: FixedClock(millis: Self.noon(day)), actor: "tester",
            calendar: Self.calendar)
        var interpretation = SampleDisclosures.interpretation
        interpretation.writtenOn = "2026-11-12"
        interpretation.formedOn = "2026-11-12"
        interpretation.publishOn = "2026-11-12"
        _ = try await console.submit([SampleDisclosures.policy, interpretation])

        // The policy is shown on the channel that day.
        let claimed = try await store.claim(
            channelID: "hub", audience: .public, owner: "w", limit: 1, leaseMillis: 60_000, now: Self.noon(day))
        #expect(claimed.first?.record.itemID == SampleDisclosures.policy.id)
        try await store.complete(
            claimed.map {
                SendOutcome(
                    deliveryID: $0.record.id, itemID: $0.record.itemID, channelID: "hub", operation: .publish,
                    version: 1, result: .delivered(remoteID: nil, remoteURL: nil), httpStatus: 200,
                    startedAt: Self.noon(day), durationMillis: 1, trigger: .scheduled, schedule: .standard,
                    randomUnit: 0.5, canWithdraw: true)
            }, owner: "w", now: Self.noon(day))

        let adapter = try ChannelAdapterFactory.make(definition, environment: ["X": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        var reconciler = Reconciler(
            store: store, channels: [(definition, adapter)], clock: FixedClock(millis: Self.noon(day.adding(days: 6))))
        reconciler.calendar = Self.calendar
        reconciler.keepInSyncRows = true
        let report = try await reconciler.run()
        await adapter.shutdown()
        let row = try #require(report.rows.first { $0.itemID == interpretation.id })
        #expect(row.due == "2026-11-17")
        // Not delivered by Wednesday 11-18: one working day late.
        #expect(row.deadline == .late(workdays: 1))
        // Its own deadline alone (formed + 20 working days) would be weeks away.
        let own = try #require(try await store.item(id: interpretation.id)?.dueOn)
        #expect(own > "2026-12-01")
    }
}
