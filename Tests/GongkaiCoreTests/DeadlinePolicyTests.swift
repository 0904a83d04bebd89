import Foundation
import GongkaiCore
import Testing

/// The legal deadlines against the real working-day calendar gongkai embeds.
@Suite("Deadline policy")
struct DeadlinePolicyTests {
    static let calendar = try! WorkCalendar.standard()

    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    static func penalty(decidedOn: String) -> DisclosureItem {
        var item = SampleDisclosures.penaltyOnNaturalPerson
        item.penalty?.decidedOn = decidedOn
        return item
    }

    @Test func aPenaltyDecidedBeforeNationalDayIsDueSevenWorkdaysLater() throws {
        // 2025-09-26 (Fri): 9-28 (Sun) is a makeup working day, 10-1…10-8 are the holiday.
        // Working days after it: 9-28, 9-29, 9-30, 10-9, 10-10, 10-11 (Sat, makeup), 10-13.
        let due = try DeadlinePolicy.standard.due(
            for: Self.penalty(decidedOn: "2025-09-26"), version: 1, submittedOn: Self.day("2025-09-26"),
            calendar: Self.calendar)
        #expect(due == Self.day("2025-10-13"))
    }

    @Test func lateExactlyWhenTheWorkingDayCountSaysSo() throws {
        let due = Self.day("2025-10-13")
        #expect(DeadlineStatus.of(due: due, doneOn: Self.day("2025-10-13"), today: Self.day("2025-10-20"), calendar: Self.calendar) == .onTime)
        #expect(DeadlineStatus.of(due: due, doneOn: Self.day("2025-10-14"), today: Self.day("2025-10-20"), calendar: Self.calendar) == .late(workdays: 1))
        // Not done by Saturday 10-18 (an ordinary weekend): still one working day late.
        #expect(DeadlineStatus.of(due: due, doneOn: nil, today: Self.day("2025-10-18"), calendar: Self.calendar) == .late(workdays: 4))
        #expect(DeadlineStatus.of(due: due, doneOn: nil, today: Self.day("2025-10-10"), calendar: Self.calendar) == .open)
        // Due Monday; on the Saturday before (10-11 is a makeup working day) one working day remains.
        #expect(DeadlineStatus.of(due: due, doneOn: nil, today: Self.day("2025-10-11"), calendar: Self.calendar) == .atRisk)
    }

    @Test func otherItemsCountTwentyWorkdaysFromFormationOrFromTheChange() throws {
        var notice = SampleDisclosures.notice
        notice.formedOn = "2025-01-20"
        // Spring Festival 2025: 1-28 … 2-4 off, 1-26 (Sun) and 2-8 (Sat) worked.
        let first = try DeadlinePolicy.standard.due(for: notice, version: 1, submittedOn: Self.day("2025-03-01"), calendar: Self.calendar)
        #expect(try Self.calendar.workdays(from: Self.day("2025-01-20"), to: first) == 20)
        #expect(first == Self.day("2025-02-21"))
        let change = try DeadlinePolicy.standard.due(for: notice, version: 2, submittedOn: Self.day("2025-03-03"), calendar: Self.calendar)
        #expect(change == Self.day("2025-03-31"))
    }

    @Test func withoutAFormationDateTheCountStartsFromTheWritingDate() throws {
        // The sample notice has no formedOn; it was written on 2026-04-01 (a Wednesday).
        let notice = SampleDisclosures.notice
        #expect(notice.formedOn == nil)
        let basis = DeadlinePolicy.standard.basis(for: notice, version: 1, submittedOn: Self.day("2026-12-02"))
        #expect(basis.start == Self.day("2026-04-01"))
        #expect(basis.rule == "formed + 20 workdays")
    }

    @Test func withdrawalsOfPenaltiesHaveThreeWorkdaysAndOtherKindsNone() throws {
        let due = try DeadlinePolicy.standard.withdrawalDue(kind: .penalty, requestedOn: Self.day("2025-04-30"), calendar: Self.calendar)
        // 5-1…5-5 is the Labour Day holiday; 4-27 (Sun) was the makeup day before it.
        #expect(due == Self.day("2025-05-08"))
        #expect(try DeadlinePolicy.standard.withdrawalDue(kind: .notice, requestedOn: Self.day("2025-04-30"), calendar: Self.calendar) == nil)
    }

    @Test func aMissingCalendarYearIsAnErrorNotAGuess() {
        #expect(throws: GongkaiError.self) {
            _ = try DeadlinePolicy.standard.due(
                for: Self.penalty(decidedOn: "2031-03-02"), version: 1, submittedOn: Self.day("2031-03-02"), calendar: Self.calendar)
        }
    }

    /// Machine output is plain JSON: the state is a string, never Swift's encoding of an enum case.
    @Test func statusIsPlainJSONAndRoundTrips() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let cases: [(DeadlineStatus, String)] = [
            (.onTime, #"{"state":"on-time"}"#), (.late(workdays: 3), #"{"lateWorkdays":3,"state":"late"}"#),
            (.atRisk, #"{"state":"at-risk"}"#), (.open, #"{"state":"open"}"#),
            (.unknown("no calendar"), #"{"reason":"no calendar","state":"unknown"}"#),
        ]
        for (status, json) in cases {
            #expect(String(decoding: try encoder.encode(status), as: UTF8.self) == json)
            #expect(try JSONDecoder().decode(DeadlineStatus.self, from: Data(json.utf8)) == status)
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DeadlineStatus.self, from: Data(#"{"state":"soon"}"#.utf8)) }
    }
}
