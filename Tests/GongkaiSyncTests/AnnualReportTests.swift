import GongkaiAudit
import GongkaiService
import GongkaiDemo
import GongkaiCore
import GongkaiStore
import Testing

@Suite("Annual report counts")
struct AnnualReportTests {
    @Test func countsItemsDeliveriesAndWithdrawalsOfTheYear() async throws {
        let setup = try ReconcileTests.Setup()
        var penalty = SampleDisclosures.penaltyOnNaturalPerson
        penalty.id = "cf-1"
        var withheld = SampleDisclosures.withheld
        withheld.id = "secret"
        _ = try await setup.console.submit(
            [ReconcileTests.notice("n1"), ReconcileTests.notice("n2"), penalty, withheld])
        try await setup.deliverAll()
        _ = try await setup.console.withdraw(itemID: "n2", reason: "已废止")
        try await setup.deliverAll()

        let now = setup.console.clock.now()
        let year = DeliveryDeadline.day(of: now).year
        let report = try await AnnualReport.build(
            year: year, store: setup.store, channels: setup.definitions, calendar: nil, policy: .standard, now: now)
        #expect(report.proactiveItems == 3)  // the withheld item is not proactively disclosed
        #expect(report.itemsByKind["notice"] == 2)
        #expect(report.itemsByKind["penalty"] == 1)
        #expect(report.withdrawals == 1)
        #expect(report.deliveredByChannel["portal"] == 3)
        #expect(report.lateDeliveries == 0)

        let other = try await AnnualReport.build(
            year: year - 1, store: setup.store, channels: setup.definitions, calendar: nil, policy: .standard, now: now)
        #expect(other.proactiveItems == 0)
        #expect(other.withdrawals == 0)
    }

    @Test func countsConsultationsFeedbackAndResponsesAndLateFeedback() async throws {
        let world = try ConsultationFeedbackTests.world()
        // Comments closed 09-30, feedback due 11-03; one consultation gets none by 11-20.
        var silent = ConsultationFeedbackTests.consultation
        silent.id = "jl-forestry-consultation-2026-0008"
        silent.indexNumber = "013544285/2026-00065"
        try await world.publish([ConsultationFeedbackTests.consultation, silent], on: "2026-09-01")
        try await world.publish([SampleDisclosures.feedback], on: "2026-10-30")
        try await world.publish([SampleDisclosures.response, SampleDisclosures.urgentResponse], on: "2026-11-18")

        let report = try await AnnualReport.build(
            year: 2026, store: world.store, channels: world.channels, calendar: ConsultationFeedbackTests.calendar,
            policy: .standard, now: ConsultationFeedbackTests.noon("2026-11-20"))
        #expect(report.itemsByKind["consultation"] == 2)
        #expect(report.itemsByKind["feedback"] == 1)
        #expect(report.itemsByKind["response"] == 2)
        #expect(report.proactiveItems == 5)
        #expect(report.lateFeedback == 1)
        // The urgent response was due 08-10 and shown 11-18: late on both channels; the rest on time.
        #expect(report.lateDeliveries == 2)
        let lines = report.lines(chinese: false)
        #expect(lines.contains { $0.0 == "by kind: response" && $0.1 == "2" })
        #expect(lines.contains { $0.0 == "consultations with late feedback" && $0.1 == "1" })
    }
}
