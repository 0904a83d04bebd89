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
}
