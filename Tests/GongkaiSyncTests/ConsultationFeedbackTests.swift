import Foundation
import GongkaiAudit
import GongkaiChannels
import GongkaiCore
import GongkaiMonitoring
import GongkaiService
import GongkaiStore
import Testing

/// Issue 12 §3: a consultation's deadline shows whether its adoption report
/// (a `feedback` item relating to it) is owed, given or late, on each channel,
/// counted on the embedded working-day calendar.
@Suite("Consultation feedback owed, given or late")
struct ConsultationFeedbackTests {
    typealias Clock = InterpretationDeadlineTests.FixedClock
    static let calendar = InterpretationDeadlineTests.calendar
    static func noon(_ text: String) -> Int64 { InterpretationDeadlineTests.noon(CalendarDate(text)!) }

    static let hub = ChannelDefinition(id: "hub", kind: .webhook, endpoint: "http://127.0.0.1:9/", secret: .environment("X"))
    /// A new-media channel with the default new-media routing: it takes consultations, not their feedback.
    static let media = ChannelDefinition(
        id: "media", kind: .webhook, endpoint: "http://127.0.0.1:9/", secret: .environment("X"),
        routing: RoutingRule(kinds: RoutingRule.newMediaKinds))

    /// Comments close Wednesday 2026-09-30, the day before 国庆: twenty working
    /// days later, the holiday skipped, the feedback is due Tuesday 11-03.
    static var consultation: DisclosureItem {
        var item = SampleDisclosures.consultation
        item.commentsUntil = "2026-09-30"
        item.majorDecision = nil
        return item
    }

    struct World {
        let store: SQLiteOutboxStore
        let channels: [ChannelDefinition]

        func console(at day: String) -> OutboxConsole {
            OutboxConsole(
                store: store, channels: channels, clock: Clock(millis: ConsultationFeedbackTests.noon(day)), actor: "tester",
                calendar: ConsultationFeedbackTests.calendar)
        }

        /// Submits `items` on `day` and has every channel confirm what is due that day.
        func publish(_ items: [DisclosureItem], on day: String) async throws {
            _ = try await console(at: day).submit(items)
            let now = ConsultationFeedbackTests.noon(day)
            for channel in channels {
                let claimed = try await store.claim(
                    channelID: channel.id, audience: .public, owner: "w", limit: 10, leaseMillis: 60_000, now: now)
                try await store.complete(
                    claimed.map {
                        SendOutcome(
                            deliveryID: $0.record.id, itemID: $0.record.itemID, channelID: channel.id, operation: .publish,
                            version: $0.version, result: .delivered(remoteID: nil, remoteURL: nil), httpStatus: 200,
                            startedAt: now, durationMillis: 1, trigger: .scheduled, schedule: .standard, randomUnit: 0.5,
                            canWithdraw: true)
                    }, owner: "w", now: now)
            }
        }

        /// The consultation's feedback standing per channel, as `gongkai status ID` computes it on `day`.
        func feedback(on day: String) async throws -> [String: FeedbackDeadline] {
            let console = console(at: day)
            let (item, deliveries) = try await console.itemStatus(ConsultationFeedbackTests.consultation.id)
            let deadlines = try await console.deadlines(of: item, deliveries)
            var result: [String: FeedbackDeadline] = [:]
            for delivery in deliveries { result[delivery.channelID] = deadlines[delivery.id]?.feedback }
            return result
        }
    }

    static func world() throws -> World {
        World(store: try SQLiteOutboxStore.inMemory(), channels: [hub, media])
    }

    @Test func owedUntilTheFeedbackIsShownThenGiven() async throws {
        let world = try Self.world()
        try await world.publish([Self.consultation], on: "2026-09-01")
        let item = try #require(try await world.store.item(id: Self.consultation.id))
        #expect(item.feedbackDueOn == "2026-11-03")

        let owed = try await world.feedback(on: "2026-10-20")
        #expect(owed["hub"] == FeedbackDeadline(due: CalendarDate("2026-11-03")!, state: .owed))
        #expect(owed["media"] == owed["hub"])

        var feedback = SampleDisclosures.feedback
        feedback.relatedTo = [Self.consultation.id]
        try await world.publish([feedback], on: "2026-10-30")
        let given = try await world.feedback(on: "2026-11-20")
        #expect(given["hub"] == FeedbackDeadline(due: CalendarDate("2026-11-03")!, state: .given, givenOn: CalendarDate("2026-10-30")))
        // The new-media channel does not carry the adoption report: the portal's counts there.
        #expect(given["media"] == given["hub"])
        // The consultation's own publish deadline is unaffected.
        let status = try await world.console(at: "2026-11-20").itemStatus(Self.consultation.id)
        let deadlines = try await world.console(at: "2026-11-20").deadlines(of: status.0, status.1)
        #expect(deadlines.values.allSatisfy { $0.status == .onTime })
        #expect(deadlines.values.first?.text.hasSuffix("; feedback given 2026-10-30") == true)
    }

    @Test func lateWhileStillOwedAndWhenGivenAfterTheDueDay() async throws {
        let world = try Self.world()
        try await world.publish([Self.consultation], on: "2026-09-01")
        // Thursday 11-05: 11-04 and 11-05 have passed since the due day.
        let overdue = try await world.feedback(on: "2026-11-05")
        #expect(overdue["hub"] == FeedbackDeadline(due: CalendarDate("2026-11-03")!, state: .late, lateWorkdays: 2))

        var feedback = SampleDisclosures.feedback
        feedback.writtenOn = "2026-11-06"
        feedback.publishOn = "2026-11-06"
        try await world.publish([feedback], on: "2026-11-06")
        let late = try await world.feedback(on: "2026-11-20")
        #expect(
            late["hub"]
                == FeedbackDeadline(due: CalendarDate("2026-11-03")!, state: .late, lateWorkdays: 3, givenOn: CalendarDate("2026-11-06")))
    }

    @Test func reconcileShowsTheFeedbackBesideTheDeadlineInJSON() async throws {
        let world = try Self.world()
        try await world.publish([Self.consultation], on: "2026-09-01")
        let adapter = try ChannelAdapterFactory.make(Self.hub, environment: ["X": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        var reconciler = Reconciler(store: world.store, channels: [(Self.hub, adapter)], clock: Clock(millis: Self.noon("2026-11-05")))
        reconciler.calendar = Self.calendar
        reconciler.keepInSyncRows = true
        let report = try await reconciler.run()
        await adapter.shutdown()
        let row = try #require(report.rows.first { $0.itemID == Self.consultation.id })
        #expect(row.deadline == .onTime)
        #expect(row.feedback?.state == .late && row.feedback?.lateWorkdays == 2)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(row), as: UTF8.self)
        #expect(json.contains(#""feedback":{"dueOn":"2026-11-03","lateWorkdays":2,"state":"late"}"#), "\(json)")
        #expect(try JSONDecoder().decode(ReconcileRow.self, from: Data(json.utf8)) == row)
        #expect(ReconcileRenderer.render(report, format: .csv, language: .en).contains("on time; feedback late 2 wd (due 2026-11-03)"))
    }

    @Test func otherKindsCarryNoFeedback() async throws {
        let world = try Self.world()
        try await world.publish([SampleDisclosures.notice], on: "2026-04-02")
        let console = world.console(at: "2026-11-20")
        let (item, deliveries) = try await console.itemStatus(SampleDisclosures.notice.id)
        #expect(item.feedbackDueOn == nil)
        #expect(try await console.deadlines(of: item, deliveries).values.allSatisfy { $0.feedback == nil })
    }

    @Test func aLateResponseCountsUnderItsOwnRule() async throws {
        let world = try Self.world()
        // Urgent, raised 08-10 and still not shown on 11-18: late on both channels, counted once.
        _ = try await world.console(at: "2026-11-18").submit([SampleDisclosures.urgentResponse])
        let tally = try await world.store.reduceUnfinishedDeliveries(
            into: DeadlineTally(calendar: Self.calendar, policy: .standard, now: Self.noon("2026-11-18"))
        ) { tally, delivery, item in tally.add(delivery, item: item) }
        #expect(tally.counts[.response]?[.late] == 1)
        #expect(tally.counts[.general]?[.late] == 0)
    }

    @Test func theFeedbackCountIsASetting() throws {
        let settings = try GongkaiSettings.resolve(
            options: ["deadlines.feedback": "10"],
            configPath: nil,
            environment: ["GONGKAI_DEADLINE_RESPONSE": "2", "GONGKAI_CONSULTATION_MAJOR_DAYS": "45"])
        #expect(settings.deadlines.feedbackWorkdays == 10)
        #expect(settings.deadlines.responseWorkdays == 2)
        #expect(settings.deadlines.majorConsultationDays == 45)
        #expect(throws: GongkaiError.self) {
            try GongkaiSettings.resolve(options: ["deadlines.majorConsultationDays": "0"], configPath: nil, environment: [:])
        }
    }
}
