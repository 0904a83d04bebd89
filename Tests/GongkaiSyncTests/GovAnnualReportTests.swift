import Foundation
import GongkaiAudit
import GongkaiChannels
import GongkaiCore
import GongkaiService
import GongkaiStore
import Testing

/// Issue 12 §4: part 二 of the national annual-report template, counted from a
/// hand-made outbox on the real SQLite store. Every item's part in each cell is
/// worked out by hand in ``Fixture``; the test asserts every cell for 2025,
/// 2026 and 2027, so that each item is seen on both sides of a year boundary.
@Suite("Annual report in the national format")
struct GovAnnualReportTests {
    typealias Clock = InterpretationDeadlineTests.FixedClock
    static let calendar = InterpretationDeadlineTests.calendar
    static let hub = ChannelDefinition(id: "hub", kind: .webhook, endpoint: "http://127.0.0.1:9/", secret: .environment("X"))

    /// Beijing time on `day` at `hour`:`minute`, as Unix milliseconds.
    static func at(_ day: String, _ hour: Int = 12, _ minute: Int = 0) -> Int64 {
        CalendarDate(day)!.beijingStartMillis + Int64(hour * 60 + minute) * 60_000
    }

    struct Fixture {
        let store: SQLiteOutboxStore

        func console(at millis: Int64) -> OutboxConsole {
            OutboxConsole(
                store: store, channels: [GovAnnualReportTests.hub], clock: Clock(millis: millis), actor: "tester",
                calendar: GovAnnualReportTests.calendar)
        }

        /// Submits `items` at `millis` and has the channel confirm everything due then.
        func publish(_ items: [DisclosureItem], at millis: Int64) async throws {
            _ = try await console(at: millis).submit(items)
            try await deliver(at: millis)
        }

        func withdraw(_ id: String, at millis: Int64) async throws {
            _ = try await console(at: millis).withdraw(itemID: id, reason: "撤销")
            try await deliver(at: millis)
        }

        func deliver(at now: Int64) async throws {
            let claimed = try await store.claim(
                channelID: "hub", audience: .public, owner: "w", limit: 50, leaseMillis: 60_000, now: now)
            try await store.complete(
                claimed.map {
                    SendOutcome(
                        deliveryID: $0.record.id, itemID: $0.record.itemID, channelID: "hub", operation: $0.operation,
                        version: $0.version, result: .delivered(remoteID: nil, remoteURL: nil), httpStatus: 200,
                        startedAt: now, durationMillis: 1, trigger: .scheduled, schedule: .standard, randomUnit: 0.5,
                        canWithdraw: true)
                }, owner: "w", now: now)
        }

        func report(_ year: Int, pageSize: Int = 1_000) async throws -> GovAnnualReport {
            try await GovAnnualReport.build(
                year: year, store: store, channels: [GovAnnualReportTests.hub], calendar: GovAnnualReportTests.calendar,
                policy: .standard, now: GovAnnualReportTests.at("2027-02-01"), pageSize: pageSize)
        }
    }

    /// A normative document (行政规范性文件) written on `written`.
    static func normative(
        _ id: String, written: String, serial: Int, genre: String = "规范性文件", attribute: DisclosureItem.Attribute = .proactive
    ) -> DisclosureItem {
        let year = written.prefix(4)
        return DisclosureItem(
            id: id, kind: .normative, category: .decision, title: "关于加强林草行政执法监督的规定（\(id)）",
            body: "<p>第一条 为规范林草行政执法行为，制定本规定。</p>", publisher: SampleDisclosures.publisher,
            indexNumber: "013544285/\(year)-\(String(format: "%05d", 300 + serial))",
            documentNumber: "吉林林草规〔\(year)〕\(serial)号", topic: SampleDisclosures.topic, genre: genre,
            writtenOn: written, publishOn: written, attribute: attribute,
            withheldReason: attribute == .withheld ? "涉及国家秘密，依法不予公开。" : nil)
    }

    static func changed(_ item: DisclosureItem, to validity: DisclosureItem.Validity, formedOn: String? = nil) -> DisclosureItem {
        var next = item
        next.validity = validity
        next.formedOn = formedOn ?? item.formedOn
        return next
    }

    static func licence(_ id: String, decided: String) -> DisclosureItem {
        var item = SampleDisclosures.licence
        item.id = id
        item.writtenOn = decided
        item.publishOn = decided
        item.formedOn = decided
        item.licence?.decidedOn = decided
        item.licence?.validFrom = decided
        return item
    }

    static func penalty(_ id: String, decided: String) -> DisclosureItem {
        var item = SampleDisclosures.penaltyOnNaturalPerson
        item.id = id
        item.writtenOn = decided
        item.publishOn = decided
        item.formedOn = decided
        item.penalty?.decidedOn = decided
        return item
    }

    /// The outbox, hand-counted. Normative documents (行政规范性文件 unless noted):
    ///
    /// | id | written | history | 2025 | 2026 | 2027 |
    /// |---|---|---|---|---|---|
    /// | norm-a | 2026-03-10 | 有效 | — | issued, in force | in force |
    /// | norm-b | 2026-05-06 | 废止 submitted 2026-11-16 | — | issued, repealed | — |
    /// | norm-c | 2025-06-01 | 已修改 submitted 2026-07-01 | issued, in force | in force (amended) | in force |
    /// | norm-d | 2024-04-01 | 失效 at 2025-12-31 23:30 Beijing | repealed | — | — |
    /// | norm-e | 2023-02-01 | 废止 at 2026-01-01 00:30 Beijing (16:30 UTC the day before) | in force | repealed | — |
    /// | norm-f | 2024-09-01 | 废止 with formedOn 2026-12-28, submitted 2027-01-05 | in force | repealed | — |
    /// | norm-h | 2026-12-30 | 有效, first submitted 2027-01-04 | — | issued, in force | in force |
    /// | norm-w | 2026-04-01 | withdrawn 2026-06-01 | — | — | — |
    /// | norm-x | 2026-02-01 | withheld (不予公开) | — | — | — |
    /// | norm-n | 2027-01-10 | 有效 | — | — | issued, in force |
    /// | reg-g (规章) | 2026-08-03 | 有效 | — | issued, in force | in force |
    ///
    /// Licences decided 2026-09-15, 2025-12-01 (submitted 2026-01-05, late) and 2026-12-29
    /// (submitted 2027-01-04); penalties decided 2026-10-20, 2026-03-02 (withdrawn 2026-03-20)
    /// and 2025-11-02.
    static func fixture() async throws -> Fixture {
        let world = Fixture(store: try SQLiteOutboxStore.inMemory())
        let normD = normative("norm-d", written: "2024-04-01", serial: 4)
        let normE = normative("norm-e", written: "2023-02-01", serial: 5)
        var normF = normative("norm-f", written: "2024-09-01", serial: 6)
        normF.formedOn = "2024-09-01"
        try await world.publish([normE], at: at("2023-02-03"))
        try await world.publish([normD], at: at("2024-04-03"))
        try await world.publish([normF], at: at("2024-09-03"))
        let normC = normative("norm-c", written: "2025-06-01", serial: 3)
        try await world.publish([normC], at: at("2025-06-03"))
        try await world.publish([penalty("pen-old", decided: "2025-11-02")], at: at("2025-11-05"))
        try await world.publish([changed(normD, to: .expired)], at: at("2025-12-31", 23, 30))
        try await world.publish([changed(normE, to: .repealed)], at: at("2026-01-01", 0, 30))
        try await world.publish([licence("lic-late", decided: "2025-12-01")], at: at("2026-01-05"))
        try await world.publish(
            [normative("norm-x", written: "2026-02-01", serial: 9, attribute: .withheld)], at: at("2026-02-03"))
        try await world.publish([penalty("pen-gone", decided: "2026-03-02")], at: at("2026-03-03"))
        let normA = normative("norm-a", written: "2026-03-10", serial: 1)
        try await world.publish([normA], at: at("2026-03-12"))
        try await world.withdraw("pen-gone", at: at("2026-03-20"))
        try await world.publish([normative("norm-w", written: "2026-04-01", serial: 7)], at: at("2026-04-02"))
        let normB = normative("norm-b", written: "2026-05-06", serial: 2)
        try await world.publish([normB], at: at("2026-05-08"))
        try await world.withdraw("norm-w", at: at("2026-06-01"))
        try await world.publish([changed(normC, to: .amended)], at: at("2026-07-01"))
        try await world.publish([normative("reg-g", written: "2026-08-03", serial: 8, genre: "规章")], at: at("2026-08-05"))
        try await world.publish([licence("lic-a", decided: "2026-09-15")], at: at("2026-09-16"))
        try await world.publish([penalty("pen-a", decided: "2026-10-20")], at: at("2026-10-21"))
        try await world.publish([changed(normB, to: .repealed)], at: at("2026-11-16"))
        try await world.publish([normative("norm-h", written: "2026-12-30", serial: 10)], at: at("2027-01-04"))
        try await world.publish([licence("lic-dec", decided: "2026-12-29")], at: at("2027-01-04"))
        try await world.publish([changed(normF, to: .repealed, formedOn: "2026-12-28")], at: at("2027-01-05"))
        try await world.publish([normative("norm-n", written: "2027-01-10", serial: 11)], at: at("2027-01-11"))
        return world
    }

    typealias Counts = GovAnnualReport.DocumentCounts

    @Test func everyCellOfPartTwoIsHandCounted() async throws {
        let world = try await Self.fixture()
        let year = try await world.report(2026)
        #expect(year.regulations == Counts(issued: 1, repealed: 0, inForce: 1))
        #expect(year.normativeDocuments == Counts(issued: 3, repealed: 3, inForce: 3))
        #expect(year.licenceDecisions == 2)
        #expect(year.penaltyDecisions == 1)
        #expect(!year.coerciveMeasuresRecorded && year.coerciveMeasureDecisions == 0)
        #expect(!year.feesRecorded && year.feeAmount == 0)
        // The appendix counts items first submitted in 2026: norm-a, norm-b, norm-w, reg-g,
        // lic-late, lic-a, pen-gone, pen-a (norm-x is withheld).
        #expect(year.appendix.proactiveItems == 8)
        #expect(year.appendix.itemsByCategory == ["decision": 4, "result": 4])
        #expect(year.appendix.deliveredByChannel == ["hub": 8])
        #expect(year.appendix.withdrawals == 2)
        #expect(year.appendix.lateDeliveries == 1)  // lic-late: decided 2025-12-01, shown 2026-01-05

        let before = try await world.report(2025)
        #expect(before.regulations == Counts())
        #expect(before.normativeDocuments == Counts(issued: 1, repealed: 1, inForce: 3))
        #expect(before.licenceDecisions == 1)
        #expect(before.penaltyDecisions == 1)

        let after = try await world.report(2027)
        #expect(after.regulations == Counts(issued: 0, repealed: 0, inForce: 1))
        // norm-f's repeal was submitted in 2027 but dated 2026-12-28 by its formedOn.
        #expect(after.normativeDocuments == Counts(issued: 1, repealed: 0, inForce: 4))
        #expect(after.licenceDecisions == 0)
        #expect(after.penaltyDecisions == 0)
    }

    @Test func pagesThatEndInsideAHistoryCountTheSame() async throws {
        let world = try await Self.fixture()
        let whole = try await world.report(2026)
        for size in [1, 2, 3] {
            #expect(try await world.report(2026, pageSize: size) == whole, "page size \(size)")
        }
    }

    @Test func aChangeIsDatedByANewFormedOnElseByItsSubmissionDay() {
        let day = { (text: String) in CalendarDate(text)! }
        let history = ValidityHistory([
            (.valid, "2024-01-02", day("2024-01-03")),
            (.amended, "2024-01-02", day("2025-03-01")),  // the same formedOn: dated by submission
            (.expired, "2026-12-28", day("2027-01-05")),  // a new formedOn dates the change
            (.repealed, "2026-12-28", day("2027-02-01")),
        ])
        #expect(history.initial == .valid)
        #expect(history.changes.map(\.on) == [day("2025-03-01"), day("2026-12-28"), day("2027-02-01")])
        #expect(history.changes.map(\.version) == [2, 3, 4])
        // Only the change that takes the document out of force ends it; 失效 → 废止 does not again.
        #expect(history.changes.map(\.endsForce) == [false, true, false])
        #expect(history.validity(on: day("2024-12-31")) == .valid)
        #expect(history.validity(on: day("2025-12-31")) == .amended)
        #expect(history.validity(on: day("2026-12-31")) == .expired)
        #expect(history.validity(on: day("2027-12-31")) == .repealed)
        #expect(ValidityHistory([(.repealed, nil, day("2026-01-01"))]).changes.isEmpty)
    }

    @Test func theRenderingsCarryEveryCellAndSayWhatIsNotRecorded() async throws {
        var report = GovAnnualReport(year: 2026)
        report.normativeDocuments = Counts(issued: 3, repealed: 2, inForce: 41)
        report.licenceDecisions = 208
        report.penaltyDecisions = 15
        report.appendix.itemsByCategory = ["decision": 4]
        report.appendix.deliveredByChannel = ["portal": 7, "wechat": 3]
        report.appendix.withdrawals = 1

        let csv = GovAnnualReportRenderer.render(report, format: .csv, language: .zh)
        #expect(csv.utf8.starts(with: [0xEF, 0xBB, 0xBF]))
        let lines = csv.dropFirst().components(separatedBy: "\r\n")
        #expect(lines.first == "条款,信息内容,指标,数值,备注")
        #expect(lines.contains("第二十条第（一）项,规章,本年制发件数,0,"))
        #expect(lines.contains("第二十条第（一）项,行政规范性文件,本年废止件数,2,"))
        #expect(lines.contains("第二十条第（一）项,行政规范性文件,现行有效件数,41,"))
        #expect(lines.contains("第二十条第（五）项,行政许可,本年处理决定数量,208,"))
        #expect(lines.contains("第二十条第（六）项,行政处罚,本年处理决定数量,15,"))
        #expect(lines.contains("第二十条第（六）项,行政强制,本年处理决定数量,0,gongkai 未记录"))
        #expect(lines.contains("第二十条第（八）项,行政事业性收费,本年收费金额（万元）,0,gongkai 未记录"))
        #expect(lines.contains("附录：gongkai 统计：按渠道发布,wechat,数量,3,"))
        #expect(lines.contains("附录：gongkai 统计：撤回与逾期,撤回,数量,1,"))

        let html = GovAnnualReportRenderer.render(report, format: .html, language: .zh)
        #expect(html.contains("<h2>二、主动公开政府信息情况</h2>"))
        #expect(html.contains("<tr><th colspan=\"4\" class=\"clause\">第二十条第（八）项</th></tr>"))
        #expect(html.contains("<tr><td class=\"label\">行政许可</td><td class=\"n\" colspan=\"3\">208</td></tr>"))
        #expect(html.contains("<tr><td class=\"label\">行政规范性文件</td><td class=\"n\">3</td><td class=\"n\">2</td><td class=\"n\">41</td></tr>"))
        #expect(html.contains("行政强制：gongkai 没有行政强制类事项"))
        #expect(html.contains("体裁分类为“规章”的计为规章"))

        let table = GovAnnualReportRenderer.render(report, format: .table, language: .en)
        #expect(table.contains("Article 20 (6)"))
        #expect(table.contains("0 (not recorded by gongkai)"))

        // JSON: plain numbers and booleans, every cell under its own key.
        let json = GovAnnualReportRenderer.render(report, format: .json, language: .zh)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let documents = try #require(object["normativeDocuments"] as? [String: Any])
        #expect(documents["inForce"] as? Int == 41)
        #expect(object["licenceDecisions"] as? Int == 208)
        #expect(json.contains("\"coerciveMeasuresRecorded\" : false"))
        #expect(json.contains("\"feesRecorded\" : false"))
        #expect(json.contains("\"feeAmount\" : 0"))
        #expect((object["appendix"] as? [String: Any])?["withdrawals"] as? Int == 1)
        #expect(try JSONDecoder().decode(GovAnnualReport.self, from: Data(json.utf8)) == report)
    }
}
