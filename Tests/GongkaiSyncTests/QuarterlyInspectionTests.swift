import Foundation
import GongkaiAudit
import GongkaiChannels
import GongkaiCore
import GongkaiService
import GongkaiStore
import Logging
import Testing

/// Issue 12 §2: the quarterly check over an outbox whose history is known to
/// the minute: items delivered on chosen days through the real store, with the
/// clock injected, and the report's flags and counts worked out by hand.
@Suite("Quarterly inspection (季度检查)")
struct QuarterlyInspectionTests {
    typealias Clock = InterpretationDeadlineTests.FixedClock
    static let calendar = InterpretationDeadlineTests.calendar
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    /// Noon in Beijing on `text` (`YYYY-MM-DD`), plus `hours`.
    static func at(_ text: String, plus hours: Double = 0) -> Int64 {
        InterpretationDeadlineTests.noon(CalendarDate(text)!) + Int64(hours * 3_600_000)
    }

    static let channels: [ChannelDefinition] = [
        ChannelDefinition(id: "portal", kind: .portal, name: "门户网站", endpoint: "http://127.0.0.1:9/", secret: .environment("X")),
        ChannelDefinition(
            id: "platform", kind: .platform, name: "政府信息公开平台", endpoint: "http://127.0.0.1:9/", secret: .environment("X"),
            routing: RoutingRule(kinds: [.penalty, .notice])),
        ChannelDefinition(
            id: "wechat", kind: .wechat, name: "微信公众号", endpoint: "http://127.0.0.1:9/", secret: .environment("X"),
            waitsForCanonical: false, routing: RoutingRule(kinds: [.notice])),
        ChannelDefinition(
            id: "weibo", kind: .weibo, name: "微博", endpoint: "http://127.0.0.1:9/", secret: .environment("X"),
            waitsForCanonical: false, routing: RoutingRule(kinds: [.notice])),
        // A robot is no site a citizen browses: not inspected.
        ChannelDefinition(
            id: "robot", kind: .wecomRobot, endpoint: "http://127.0.0.1:9/", secret: .environment("X"),
            routing: RoutingRule(kinds: [.licence])),
    ]

    struct World {
        let store: SQLiteOutboxStore

        func console(at millis: Int64) -> OutboxConsole {
            OutboxConsole(
                store: store, channels: QuarterlyInspectionTests.channels, clock: Clock(millis: millis), actor: "tester",
                calendar: QuarterlyInspectionTests.calendar)
        }

        func submit(_ items: DisclosureItem..., at millis: Int64) async throws {
            _ = try await console(at: millis).submit(items)
        }

        func withdraw(_ id: String, at millis: Int64) async throws {
            _ = try await console(at: millis).withdraw(itemID: id, reason: "处罚决定已撤销")
        }

        /// `channel` confirms everything due on it at `millis` (publications and withdrawals alike).
        func deliver(_ channel: String, at millis: Int64) async throws {
            let claimed = try await store.claim(
                channelID: channel, audience: .public, owner: "w", limit: 50, leaseMillis: 60_000, now: millis)
            try await store.complete(
                claimed.map {
                    SendOutcome(
                        deliveryID: $0.record.id, itemID: $0.record.itemID, channelID: channel, operation: $0.operation,
                        version: $0.version, result: .delivered(remoteID: "r-\($0.record.itemID)", remoteURL: nil),
                        httpStatus: 200, startedAt: millis, durationMillis: 0, trigger: .scheduled, schedule: .standard,
                        randomUnit: 0.5, canWithdraw: true)
                }, owner: "w", now: millis)
        }
    }

    static func notice(_ id: String, formedOn: String, title: String = "关于开展森林防火宣传的通知") -> DisclosureItem {
        var item = SampleDisclosures.notice
        item.id = id
        item.title = title
        item.writtenOn = formedOn
        item.formedOn = formedOn
        item.publishOn = formedOn
        return item
    }

    static func penalty(_ id: String, decidedOn: String) -> DisclosureItem {
        var item = SampleDisclosures.penaltyOnNaturalPerson
        item.id = id
        item.writtenOn = decidedOn
        item.publishOn = decidedOn
        item.formedOn = decidedOn
        item.penalty?.decidedOn = decidedOn
        return item
    }

    /// The fourth quarter of 2026, as the comments in the tests count it.
    static func world() async throws -> World {
        let world = World(store: try SQLiteOutboxStore.inMemory())
        // October: a notice everywhere; a penalty on the portal and the platform.
        try await world.submit(notice("n-oct", formedOn: "2026-10-09"), at: at("2026-10-09"))
        try await world.submit(penalty("p-withdrawn", decidedOn: "2026-10-12"), at: at("2026-10-13"))
        for channel in ["portal", "platform", "wechat", "weibo"] { try await world.deliver(channel, at: at("2026-10-13")) }
        // A penalty decided Monday 11-02 is due Wednesday 11-11: the portal on time, the platform a day late.
        try await world.submit(penalty("p-late", decidedOn: "2026-11-02"), at: at("2026-11-04"))
        try await world.deliver("portal", at: at("2026-11-05"))
        try await world.deliver("platform", at: at("2026-11-12"))
        // A correction on 11-16 at noon: WeChat has it in 30 minutes, the portal in an hour,
        // the platform the next day, Weibo on 12-25. Its new deadline, 20 working days on, is 12-14.
        try await world.submit(notice("n-oct", formedOn: "2026-10-09", title: "关于开展森林防火宣传的通知（更正）"), at: at("2026-11-16"))
        try await world.deliver("wechat", at: at("2026-11-16", plus: 0.5))
        try await world.deliver("portal", at: at("2026-11-16", plus: 1))
        try await world.deliver("platform", at: at("2026-11-17"))
        // The withdrawn penalty: requested 11-20 at noon, due 11-25; the portal takes two hours, the platform three days.
        try await world.withdraw("p-withdrawn", at: at("2026-11-20"))
        try await world.deliver("portal", at: at("2026-11-20", plus: 2))
        try await world.deliver("platform", at: at("2026-11-23"))
        // Formed 12-01, due 12-29: WeChat, the portal and the platform on 12-11, Weibo on 12-25 (with the correction).
        try await world.submit(notice("n-dec", formedOn: "2026-12-01"), at: at("2026-12-11"))
        for channel in ["portal", "platform", "wechat"] { try await world.deliver(channel, at: at("2026-12-11")) }
        try await world.deliver("weibo", at: at("2026-12-25"))
        // Formed 11-02 (due 11-30) and only submitted 12-28: late on the portal, still missing elsewhere.
        try await world.submit(notice("n-late", formedOn: "2026-11-02"), at: at("2026-12-28"))
        try await world.deliver("portal", at: at("2026-12-28"))
        return world
    }

    static func report(
        _ world: World, thresholds: InspectionThresholds = .standard, publicPages: PublicPageReport? = nil
    ) async throws -> QuarterlyInspection {
        try await QuarterlyInspection.build(
            quarter: Quarter("2026Q4")!, store: world.store, channels: channels, calendar: calendar, policy: .standard,
            thresholds: thresholds, publicPages: publicPages, now: at("2027-01-05"), pageSize: 2)
    }

    @Test func quartersReadAndBoundInBeijingTime() throws {
        let q4 = try #require(Quarter("2026Q4"))
        #expect(Quarter("2026-q4") == q4)
        #expect(Quarter("2026Q5") == nil && Quarter("26Q4") == nil && Quarter("2026") == nil)
        #expect(q4.firstDay == CalendarDate("2026-10-01") && q4.lastDay == CalendarDate("2026-12-31"))
        // 2027-01-01 00:00 +08:00 is 2026-12-31 16:00 UTC.
        #expect(q4.endMillis == CalendarDate("2027-01-01")!.beijingStartMillis)
        #expect(q4.contains(q4.endMillis - 1) && !q4.contains(q4.endMillis))
        #expect(Quarter.lastEnded(before: q4.endMillis) == q4)
        #expect(Quarter.lastEnded(before: q4.endMillis - 1) == Quarter("2026Q3"))
        #expect(q4.next == Quarter("2027Q1") && Quarter("2027Q1")!.previous == q4)
        #expect(q4.label(chinese: true) == "2026年第四季度")
    }

    @Test func flagsTheSilentWeChatAccountFirstAndPassesTheFreshPortal() async throws {
        let report = try await Self.report(try await Self.world())
        #expect(report.complete)
        #expect(report.checkedOn == CalendarDate("2026-12-31"))
        // WeChat last published 12-11: 20 days before the check, past its 14: a single-item veto, listed first.
        let first = try #require(report.channels.first)
        #expect(first.channelID == "wechat" && first.column == .newMedia)
        #expect(first.daysSince == 20 && first.lastItemID == "n-dec")
        #expect(first.overdue && first.singleItemVeto)
        #expect(report.channels.filter(\.singleItemVeto).count == 1)
        #expect(report.hasSingleItemVetoRisk)

        func check(_ channel: String, _ column: InspectionColumn) -> QuarterlyInspection.ChannelCheck? {
            report.channels.first { $0.channelID == channel && $0.column == column }
        }
        // The portal published 12-28, three days before: fine, and its notices column too.
        #expect(check("portal", .homePage)?.daysSince == 3)
        #expect(check("portal", .homePage)?.overdue == false)
        #expect(check("portal", .notices)?.daysSince == 3)
        // Weibo 12-25; the platform's notices column 12-11 (its penalties do not update it), within six months.
        #expect(check("weibo", .newMedia)?.daysSince == 6)
        #expect(check("platform", .notices)?.daysSince == 20)
        #expect(check("platform", .notices)?.overdue == false)
        #expect(check("platform", .homePage) == nil)
        #expect(!report.channels.contains { $0.channelID == "robot" })
        #expect(report.channels.count == 5)

        // With a month allowed, no account is at risk.
        var relaxed = InspectionThresholds.standard
        relaxed.newMediaDays = 30
        let lenient = try await Self.report(try await Self.world(), thresholds: relaxed)
        #expect(!lenient.hasSingleItemVetoRisk)
    }

    @Test func judgesTheChannelsAtTheQuarterEndNotAtTheTimeOfWriting() async throws {
        let world = try await Self.world()
        // In January WeChat posts again: the report of Q4 still sees it silent since 12-11.
        try await world.submit(Self.notice("n-jan", formedOn: "2026-12-31"), at: Self.at("2027-01-04"))
        try await world.deliver("wechat", at: Self.at("2027-01-04"))
        let report = try await Self.report(world)
        #expect(report.channels.first?.channelID == "wechat")
        #expect(report.channels.first?.daysSince == 20)
    }

    @Test func countsTheDeadlinesDueInTheQuarterPerRule() async throws {
        let report = try await Self.report(try await Self.world())
        func tally(_ rule: DeadlineRule) -> QuarterlyInspection.RuleTally? { report.deadlines.first { $0.rule == rule } }
        // General: n-oct v2 due 12-14 met on three channels, missed on Weibo (12-25); n-dec due 12-29 met on four;
        // n-late due 11-30 late on the portal and still missing on three.
        func counts(_ rule: DeadlineRule) -> [Int] { tally(rule).map { [$0.workdays, $0.met, $0.missed, $0.open] } ?? [] }
        #expect(counts(.general) == [20, 7, 5, 0])
        #expect(counts(.penaltyAndLicence) == [7, 1, 1, 0])
        #expect(counts(.withdrawal) == [3, 2, 0, 0])
        #expect(tally(.response)?.met == 0 && tally(.feedback)?.missed == 0)
        #expect(report.deadlines.map(\.rule) == DeadlineRule.allCases)
        #expect(report.missedCount == 6)

        let platform = try #require(report.missed.first { $0.itemID == "p-late" })
        #expect(platform.channelID == "platform" && platform.dueOn == CalendarDate("2026-11-11"))
        #expect(platform.doneOn == CalendarDate("2026-11-12") && platform.lateWorkdays == 1)
        let weibo = try #require(report.missed.first { $0.itemID == "n-oct" })
        #expect(weibo.channelID == "weibo" && weibo.doneOn == CalendarDate("2026-12-25") && weibo.lateWorkdays == 9)
        let missing = report.missed.filter { $0.itemID == "n-late" && $0.doneOn == nil }
        #expect(Set(missing.map(\.channelID)) == ["platform", "wechat", "weibo"])
        // Sorted by due day: n-late (11-30) comes before n-oct on Weibo (12-14).
        #expect(report.missed.first?.itemID == "p-late" && report.missed.last?.itemID == "n-oct")
    }

    /// Responses to public concerns (回应关切) are counted under their own rule: three
    /// working days from the day the concern was raised, the same day when urgent.
    @Test func countsResponsesUnderTheirOwnRuleTheUrgentOneDueTheSameDay() async throws {
        let world = World(store: try SQLiteOutboxStore.inMemory())
        var ordinary = SampleDisclosures.response
        ordinary.id = "r-ordinary"
        ordinary.raisedOn = "2026-12-07"  // a Monday: due Thursday 12-10
        ordinary.writtenOn = "2026-12-08"
        ordinary.publishOn = "2026-12-08"
        var urgent = SampleDisclosures.urgentResponse
        urgent.id = "r-urgent"
        urgent.raisedOn = "2026-12-15"  // due that day
        urgent.writtenOn = "2026-12-15"
        urgent.publishOn = "2026-12-15"
        try await world.submit(ordinary, at: Self.at("2026-12-08"))
        try await world.deliver("portal", at: Self.at("2026-12-09"))
        try await world.submit(urgent, at: Self.at("2026-12-15"))
        try await world.deliver("portal", at: Self.at("2026-12-16"))
        let report = try await Self.report(world)
        let tally = try #require(report.deadlines.first { $0.rule == .response })
        let counts: [Int] = [tally.workdays, tally.met, tally.missed, tally.open]
        #expect(counts == [3, 1, 1, 0])
        let late = try #require(report.missed.first)
        #expect(report.missed.count == 1)
        #expect(late.itemID == "r-urgent" && late.channelID == "portal" && late.dueOn == CalendarDate("2026-12-15"))
        #expect(late.lateWorkdays == 1)
    }

    @Test func timesEachWithdrawalAndCorrectionOnEveryChannel() async throws {
        let world = try await Self.world()
        // A second correction on 12-30: the portal has it within the hour, the rest never in the quarter.
        try await world.submit(Self.notice("n-late", formedOn: "2026-11-02", title: "更正后的通知"), at: Self.at("2026-12-30"))
        try await world.deliver("portal", at: Self.at("2026-12-30", plus: 0.75))
        let report = try await Self.report(world)
        let withdrawal = try #require(report.withdrawals.first)
        #expect(report.withdrawals.count == 1)
        #expect(withdrawal.itemID == "p-withdrawn" && withdrawal.version == nil)
        #expect(withdrawal.reason == "处罚决定已撤销")
        #expect(withdrawal.requestedAt == JSONTime(Self.at("2026-11-20")))
        #expect(withdrawal.channels.map(\.channelID) == ["platform", "portal"])
        #expect(withdrawal.channels.map(\.durationMillis) == [3 * Self.day, 2 * Self.hour])
        #expect(withdrawal.channels.allSatisfy { $0.state == .done })
        #expect(withdrawal.durationMillis == 3 * Self.day)
        #expect(withdrawal.completedAt == JSONTime(Self.at("2026-11-23")))
        #expect(withdrawal.deadline == .onTime)

        #expect(report.corrections.map(\.itemID) == ["n-oct", "n-late"])
        let correction = try #require(report.corrections.first)
        #expect(correction.version == 2)
        let reach = Dictionary(uniqueKeysWithValues: correction.channels.map { ($0.channelID, $0) })
        #expect(reach["wechat"]?.durationMillis == Self.hour / 2)
        #expect(reach["portal"]?.durationMillis == Self.hour)
        #expect(reach["platform"]?.durationMillis == Self.day)
        #expect(reach["weibo"]?.durationMillis == 39 * Self.day)
        // Every channel has it once Weibo has: the slowest channel is the correction's time.
        #expect(correction.completedAt == JSONTime(Self.at("2026-12-25")) && correction.durationMillis == 39 * Self.day)

        let open = try #require(report.corrections.last)
        let portal = try #require(open.channels.first { $0.channelID == "portal" })
        #expect(portal.state == .done && portal.durationMillis == 45 * 60_000)
        #expect(open.channels.filter { $0.state == .pending }.map(\.channelID) == ["platform", "wechat", "weibo"])
        // Not yet on every channel: no completion time.
        #expect(open.completedAt == nil && open.durationMillis == nil)
        #expect(QuarterlyInspectionRenderer.duration(3 * Self.day) == "3d")
        #expect(QuarterlyInspectionRenderer.duration(Self.hour / 2) == "30m")
        #expect(QuarterlyInspectionRenderer.duration(26 * Self.hour + 59 * 60_000) == "1d2h")
    }

    @Test func summarisesTheLastPublicPageCheck() async throws {
        var pages = PublicPageReport(checkedAt: Self.at("2026-12-20"))
        var portal = PublicPageReport.ChannelSummary(channelID: "portal", kind: "portal")
        portal.pages = 5
        portal.counts = ["in-sync": 2, "differs": 1, "extra": 1, "unchecked": 1]
        portal.pagesWithDeadLinks = 1
        portal.deadLinks = 2
        portal.brokenAttachments = 1
        pages.channels = [portal]
        let report = try await Self.report(try await Self.world(), publicPages: pages)
        let summary = try #require(report.publicPages)
        #expect(summary.withinQuarter)
        #expect(summary.pages == 5 && summary.staleVersions == 1 && summary.stillShownAfterWithdrawal == 1)
        #expect(summary.unchecked == 1 && summary.deadLinks == 2 && summary.brokenAttachments == 1)
        let text = QuarterlyInspectionRenderer.render(report, format: .table, language: .en)
        #expect(text.contains("stale version or other content"))
        let none = try await Self.report(try await Self.world())
        #expect(QuarterlyInspectionRenderer.render(none, format: .table, language: .zh).contains("尚无公开页面核查结果"))
    }

    @Test func rendersCSVWithABOMPlainJSONAndAnHTMLPageToFile() async throws {
        let report = try await Self.report(try await Self.world())
        let csv = QuarterlyInspectionRenderer.render(report, format: .csv, language: .zh)
        #expect(Array(csv.utf8).starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(csv.contains("\r\nwechat,微信公众号,政务新媒体账号,2026-12-11,20,14,单项否决风险,n-dec\r\n"))
        let english = QuarterlyInspectionRenderer.render(report, format: .csv, language: .en)
        #expect(english.contains("Verdict: 1 single-item veto risk; 6 deadlines missed."))

        let json = QuarterlyInspectionRenderer.render(report, format: .json, language: .zh)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["quarter"] as? String == "2026Q4")
        #expect((object["generatedAt"] as? String)?.hasSuffix("+08:00") == true)
        #expect(object["checkedOn"] as? String == "2026-12-31")
        let channels = try #require(object["channels"] as? [[String: Any]])
        let wechat = try #require(channels.first)
        #expect(wechat["column"] as? String == "new-media")
        #expect(wechat["lastPublishedAt"] as? String == "2026-12-11T12:00:00.000+08:00")
        // Booleans and numbers as JSON's own, not strings.
        #expect(json.contains(#""singleItemVeto" : true"#) && json.contains(#""daysSince" : 20"#))
        #expect(json.contains(#""complete" : true"#) && !json.contains(#""singleItemVeto" : "true""#))
        let withdrawal = try #require((object["withdrawals"] as? [[String: Any]])?.first)
        #expect(withdrawal["durationMillis"] as? Int == 3 * 86_400_000)
        #expect((withdrawal["deadline"] as? [String: Any])?["state"] as? String == "on-time")
        let rule = try #require((object["deadlines"] as? [[String: Any]])?.first)
        #expect(rule["rule"] as? String == "penalty-and-licence")
        // A kept report reads back as it was written.
        #expect(try JSONDecoder().decode(QuarterlyInspection.self, from: Data(json.utf8)) == report)

        let html = QuarterlyInspectionRenderer.render(report, format: .html, language: .zh)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("2026年第四季度政府网站与政务新媒体检查报告"))
        #expect(html.contains("<tr class=\"veto\"><td>wechat</td>"))
        // The veto row comes before every other row of the channel table.
        let veto = try #require(html.range(of: "class=\"veto\""))
        let fine = try #require(html.range(of: "class=\"ok\""))
        #expect(veto.lowerBound < fine.lowerBound)
    }

    @Test func theDaemonServiceWritesEachEndedQuarterOnceAndKeepsEveryReport() async throws {
        let world = try await Self.world()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-inspect-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = GongkaiSettings()
        settings.database = directory.appendingPathComponent("outbox.sqlite").path
        settings.inspectionReports = directory.appendingPathComponent("reports").path
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        func service(at millis: Int64) -> QuarterlyInspectionService {
            QuarterlyInspectionService(
                settings: settings, store: world.store, channels: Self.channels, clock: Clock(millis: millis), logger: logger)
        }
        // Still in the quarter: its predecessor is written, not the quarter itself.
        #expect(await service(at: Self.at("2026-12-31", plus: 11.9)).tick() == [Quarter("2026Q3")!])
        #expect(!QuarterlyInspectionRun.isKept(Quarter("2026Q4")!, settings: settings))

        // Just after 2027-01-01 00:00 in Beijing (still 2026 in UTC) the fourth quarter is written, once.
        let afterEnd = CalendarDate("2027-01-01")!.beijingStartMillis + 60_000
        #expect(await service(at: afterEnd).tick() == [Quarter("2026Q4")!])
        #expect(await service(at: afterEnd + Self.hour).tick().isEmpty)
        for name in ["2026Q4.json", "2026Q4.zh.html", "2026Q4.en.html", "2026Q4.zh.csv", "2026Q4.en.csv"] {
            #expect(FileManager.default.fileExists(atPath: settings.inspectionReportsPath + "/" + name), "\(name)")
        }
        let kept = try QuarterlyInspectionRun.kept(Quarter("2026Q4")!, settings: settings)
        #expect(kept.complete && kept.channels.first?.channelID == "wechat" && kept.channels.first?.singleItemVeto == true)
        #expect(kept.withdrawals.first?.durationMillis == 3 * Self.day)

        // A quarter later the next one joins it; none is replaced or removed.
        #expect(await service(at: Self.at("2027-04-02")).tick() == [Quarter("2027Q1")!])
        #expect(QuarterlyInspectionRun.keptQuarters(settings: settings).map(\.description) == ["2026Q3", "2026Q4", "2027Q1"])
        #expect(try QuarterlyInspectionRun.kept(Quarter("2026Q4")!, settings: settings) == kept)

        // Stopped across three quarter ends: each missed quarter is written, oldest first
        // (before, only the last ended one was, and 2027Q2 and Q3 were never kept).
        #expect(await service(at: Self.at("2028-01-03")).tick().map(\.description) == ["2027Q2", "2027Q3", "2027Q4"])
        #expect(
            QuarterlyInspectionRun.keptQuarters(settings: settings).map(\.description)
                == ["2026Q3", "2026Q4", "2027Q1", "2027Q2", "2027Q3", "2027Q4"])

        // It next looks five minutes after the quarter ends, and at least every six hours.
        let waitFromEnd = service(at: afterEnd).wait(now: Self.at("2027-03-31", plus: 11.5))
        #expect(waitFromEnd == 30 * 60_000 + QuarterlyInspectionService.afterQuarterEnd)
        #expect(service(at: afterEnd).wait(now: afterEnd) == QuarterlyInspectionService.longestWait)

        // `inspect.quarterly: off`: the service ends at once and writes nothing.
        var off = settings
        off.quarterlyInspection = false
        off.inspectionReports = directory.appendingPathComponent("off").path
        try await QuarterlyInspectionService(
            settings: off, store: world.store, channels: Self.channels, clock: Clock(millis: afterEnd), logger: logger
        ).run()
        #expect(!FileManager.default.fileExists(atPath: off.inspectionReportsPath))
    }

    @Test func readsItsThresholdsFromTheSettings() throws {
        let settings = try GongkaiSettings.resolve(
            options: ["inspect.newMediaDays": "7", "inspect.reports": "/tmp/reports"], configPath: nil,
            environment: ["GONGKAI_INSPECT_NOTICE_DAYS": "90", "GONGKAI_INSPECT_QUARTERLY": "off"])
        #expect(settings.inspectionThresholds.newMediaDays == 7)
        #expect(settings.inspectionThresholds.noticeDays == 90)
        #expect(settings.inspectionThresholds.homePageDays == 14)
        #expect(settings.inspectionReportsPath == "/tmp/reports")
        #expect(!settings.quarterlyInspection)
        #expect(GongkaiSettings().inspectionReportsPath == "gongkai.sqlite.inspections")
        #expect(throws: GongkaiError.self) {
            try GongkaiSettings.resolve(options: ["inspect.homePageDays": "0"], configPath: nil, environment: [:])
        }
        let shipped = try GongkaiSettings.resolve(options: [:], configPath: SettingsFileTests.shipped, environment: [:])
        #expect(shipped.inspectionThresholds == .standard && shipped.quarterlyInspection)
        #expect(shipped.inspectionReportsPath == "/var/lib/gongkai/inspections")
    }
}
