import Foundation
import GongkaiAudit
import GongkaiCore
import Testing

/// What machine output writes is read back where it is kept (issue 10 §6): the
/// reconciliation report on disk, in today's shape and in the one earlier versions wrote.
@Suite("machine JSON round trips")
struct MachineJSONTests {
    static let report: ReconcileReport = {
        var summary = ReconcileReport.ChannelSummary(
            channelID: "portal", kind: "portal", method: "listing", counts: ["=": 7, "+": 2, "*": 1])
        summary.late = 1
        var row = ReconcileRow(
            channelID: "portal", itemID: "jl-notice-1", status: .missing, expectedVersion: 2, deliveryState: "retrying",
            detail: "not on the channel", repair: "resend")
        row.due = "2026-11-27"
        row.deadline = .late(workdays: 2)
        return ReconcileReport(
            startedAt: 1_763_622_245_123, finishedAt: 1_763_622_246_000, channels: [summary],
            rows: [row, ReconcileRow(channelID: "portal", itemID: nil, remoteID: "gk-x", status: .extra, detail: "unknown here")],
            repaired: false)
    }()

    @Test func theReportReadsBackWhatItWrote() throws {
        let text = JSONOutput.string(Self.report)
        #expect(text.contains("\"startedAt\" : \"2025-11-20T15:04:05.123+08:00\""))
        #expect(text.contains("\"status\" : \"missing\""))
        #expect(text.contains("\"in-sync\" : 7"))
        #expect(text.contains("\"unchecked\" : 0"))
        #expect(text.contains("\"dueOn\" : \"2026-11-27\""))
        #expect(text.contains("\"state\" : \"late\""))
        let decoded = try JSONDecoder().decode(ReconcileReport.self, from: Data(text.utf8))
        #expect(decoded.startedAt == Self.report.startedAt)
        #expect(decoded.rows == Self.report.rows)
        #expect(decoded.channels.first?.count(.inSync) == 7)
        #expect(decoded.channels.first?.count(.differs) == 1)
        #expect(decoded.channels.first?.late == 1)
        #expect(JSONOutput.string(decoded) == text)
    }

    @Test func aReportKeptByAnEarlierVersionStillReads() throws {
        let legacy = """
            {"startedAt": 1763622245123, "finishedAt": 1763622246000, "repaired": false,
             "channels": [{"channelID": "portal", "kind": "portal", "method": "listing", "counts": {"=": 7, "+": 2},
                           "late": 1, "atRisk": 0}],
             "rows": [{"channelID": "portal", "itemID": "jl-notice-1", "status": "+", "detail": "not on the channel",
                       "due": "2026-11-27", "deadline": {"state": "late", "lateWorkdays": 2}}]}
            """
        let decoded = try JSONDecoder().decode(ReconcileReport.self, from: Data(legacy.utf8))
        #expect(decoded.finishedAt == 1_763_622_246_000)
        #expect(decoded.channels.first?.count(.missing) == 2)
        #expect(decoded.rows.first?.status == .missing)
        #expect(decoded.rows.first?.due == "2026-11-27")
        #expect(decoded.rows.first?.deadline == .late(workdays: 2))
    }

    @Test func timesAreRFC3339InBeijingAndParseBack() throws {
        #expect(Timestamp.rfc3339(0) == "1970-01-01T08:00:00.000+08:00")
        #expect(Timestamp.rfc3339(1_763_622_245_123) == "2025-11-20T15:04:05.123+08:00")
        #expect(Timestamp.parseRFC3339("2025-11-20T15:04:05.123+08:00") == 1_763_622_245_123)
        #expect(Timestamp.parseRFC3339("2025-11-20T07:04:05.123Z") == 1_763_622_245_123)
        #expect(Timestamp.parseRFC3339("2025-11-20T07:04:05Z") == 1_763_622_245_000)
        #expect(Timestamp.parseRFC3339("2025-11-20T02:04:05.1234-05:00") == 1_763_622_245_123)
        #expect(Timestamp.parseRFC3339("2025-11-20 07:04:05Z") == nil)
        #expect(Timestamp.parseRFC3339("2025-11-20T07:04:05") == nil)
        for millis: Int64 in [-1, 0, 999, 1_763_622_245_123, 4_102_444_799_999] {
            #expect(Timestamp.parseRFC3339(Timestamp.rfc3339(millis)) == millis)
        }
        let time = try JSONDecoder().decode([JSONTime].self, from: Data(#"["2025-11-20T15:04:05.123+08:00", 5]"#.utf8))
        #expect(time.map(\.millis) == [1_763_622_245_123, 5])
    }

    @Test func aDeadlineIsOneFlatObject() throws {
        let deadline = DeliveryDeadline(due: CalendarDate("2026-11-27"), status: .late(workdays: 2))
        let text = JSONOutput.string(deadline)
        #expect(text == "{\n  \"dueOn\" : \"2026-11-27\",\n  \"lateWorkdays\" : 2,\n  \"state\" : \"late\"\n}")
        #expect(try JSONDecoder().decode(DeliveryDeadline.self, from: Data(text.utf8)) == deadline)
        let unknown = JSONOutput.string(DeliveryDeadline(due: nil, status: .unknown("not routed here")))
        #expect(unknown == "{\n  \"reason\" : \"not routed here\",\n  \"state\" : \"unknown\"\n}")
    }
}
