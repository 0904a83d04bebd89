import Foundation
import Testing
@testable import GongkaiCore

private let consultation = SampleDisclosures.consultation
private let feedback = SampleDisclosures.feedback
private let response = SampleDisclosures.response

/// Issue 12 §3: the new kinds' rules, each refusal naming its field (run by
/// ``ItemValidatorTests/namesExactlyTheBrokenField(_:)`` with the others).
let consultationAndResponseBadItems: [BadItem] = [
    BadItem("consultation without commentsUntil", consultation, ["commentsUntil"]) { $0.commentsUntil = nil },
    BadItem("commentsUntil not a real day", consultation, ["commentsUntil"]) { $0.commentsUntil = "2026-09-31" },
    BadItem("commentsUntil empty", consultation, ["commentsUntil"]) { $0.commentsUntil = "" },
    BadItem("commentsUntil before publication", consultation, ["commentsUntil"]) { $0.commentsUntil = "2026-08-31" },
    BadItem("commentsUntil on the day of publication", consultation, ["commentsUntil"]) { $0.commentsUntil = "2026-09-01" },
    BadItem("major decision with 29 days of comments", consultation, ["commentsUntil"]) { $0.commentsUntil = "2026-09-30" },
    BadItem("commentsUntil on a policy", SampleDisclosures.policy, ["commentsUntil"]) { $0.commentsUntil = "2026-04-01" },
    BadItem("majorDecision on a notice", SampleDisclosures.notice, ["majorDecision"]) { $0.majorDecision = false },
    BadItem("feedback without its consultation", feedback, ["relatedTo"]) { $0.relatedTo = nil },
    BadItem("feedback with an empty relatedTo", feedback, ["relatedTo"]) { $0.relatedTo = [] },
    BadItem("response without raisedOn", response, ["raisedOn"]) { $0.raisedOn = nil },
    BadItem("raisedOn not a real day", response, ["raisedOn"]) { $0.raisedOn = "2026-11-31" },
    BadItem("raisedOn after today", response, ["raisedOn"]) { $0.raisedOn = "2026-11-21"; $0.publishOn = "2026-11-21"; $0.writtenOn = "2026-11-21" },
    BadItem("raisedOn after publication", response, ["raisedOn"]) { $0.raisedOn = "2026-11-19" },
    BadItem("raisedOn on a consultation", consultation, ["raisedOn"]) { $0.raisedOn = "2026-08-20" },
    BadItem("urgent on a feedback", feedback, ["urgent"]) { $0.urgent = true },
]

@Suite("Consultations, feedback and responses")
struct ConsultationAndResponseTests {
    static let calendar = try! WorkCalendar.standard()

    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    @Test func aMissingRequiredDateIsAMissingFieldNamingIt() {
        var item = response
        item.raisedOn = nil
        #expect {
            try ItemValidator.validate(item, today: testToday)
        } throws: { error in
            (error as? GongkaiError).map { $0.code == .missingField && $0.field == "raisedOn" } ?? false
        }
    }

    @Test func theMajorDecisionMinimumIsThirtyDaysAndConfigurable() throws {
        // Published 09-01: 30 days later is 10-01, the first day that is enough.
        var item = consultation
        item.commentsUntil = "2026-10-01"
        #expect(issueFields(item) == [])
        item.commentsUntil = "2026-09-30"
        let issues = ItemValidator.issues(in: item, today: testToday)
        #expect(issues.map(\.field) == ["commentsUntil"])
        #expect(issues.first?.message.contains("at least 30 days") == true)
        // Not a major decision: a short period is the agency's call.
        item.majorDecision = false
        #expect(issueFields(item) == [])
        item.majorDecision = true
        var longer = DeadlinePolicy.standard
        longer.majorConsultationDays = 45
        item.commentsUntil = "2026-10-09"
        #expect(ItemValidator.issues(in: item, deadlines: longer, today: testToday).map(\.field) == ["commentsUntil"])
        longer.majorConsultationDays = 20
        item.commentsUntil = "2026-09-21"
        #expect(ItemValidator.issues(in: item, deadlines: longer, today: testToday).isEmpty)
    }

    @Test func urgentMustBeABooleanAndDatesStrings() {
        let notBoolean = jsonText(response) { $0["urgent"] = "yes" }
        #expect(decodeError(notBoolean)?.field == "urgent")
        #expect(decodeError(notBoolean)?.code == .invalidField)
        let notString = jsonText(consultation) { $0["commentsUntil"] = 20261009 }
        #expect(decodeError(notString)?.field == "commentsUntil")
        let misspelt = jsonText(response) { $0["raisedon"] = "2026-11-16" }
        #expect(decodeError(misspelt)?.message.contains("did you mean raisedOn") == true)
    }

    @Test func theNewFieldsRoundTripAndChangeTheContentHash() throws {
        for item in [consultation, feedback, response, SampleDisclosures.urgentResponse] {
            #expect(try ItemDecoding.decodeSubmission(jsonBytes(item)) == [item])
        }
        var later = consultation
        later.commentsUntil = "2026-10-16"
        #expect(ItemCanonicalForm.contentHash(later) != ItemCanonicalForm.contentHash(consultation))
        var minor = consultation
        minor.majorDecision = false
        #expect(ItemCanonicalForm.contentHash(minor) != ItemCanonicalForm.contentHash(consultation))
        var urgent = response
        urgent.urgent = true
        #expect(ItemCanonicalForm.contentHash(urgent) != ItemCanonicalForm.contentHash(response))
        var earlier = response
        earlier.raisedOn = "2026-11-13"
        #expect(ItemCanonicalForm.contentHash(earlier) != ItemCanonicalForm.contentHash(response))
        // Items without the new fields keep the hash they always had: no key is added for them.
        #expect(!String(decoding: ItemCanonicalForm.document(SampleDisclosures.policy), as: UTF8.self).contains("urgent"))
    }

    @Test func aResponseRaisedTheDayBeforeNationalDayIsDueThreeWorkdaysAfterTheHoliday() throws {
        // 2026-09-30 (Wed); 10-01…10-07 is the holiday; 10-08 (Thu), 10-09 (Fri) and
        // 10-10 (Sat, a makeup working day) are the three working days.
        var item = response
        item.raisedOn = "2026-09-30"
        let due = try DeadlinePolicy.standard.due(
            for: item, version: 1, submittedOn: Self.day("2026-11-20"), calendar: Self.calendar)
        #expect(due == Self.day("2026-10-10"))
        #expect(DeadlinePolicy.standard.basis(for: item, version: 1, submittedOn: Self.day("2026-11-20")).rule == "raised + 3 workdays")
        // Urgent: the same day, holiday or not.
        item.urgent = true
        #expect(
            try DeadlinePolicy.standard.due(for: item, version: 1, submittedOn: Self.day("2026-11-20"), calendar: Self.calendar)
                == Self.day("2026-09-30"))
        item.raisedOn = "2026-10-03"
        #expect(
            try DeadlinePolicy.standard.due(for: item, version: 1, submittedOn: Self.day("2026-11-20"), calendar: Self.calendar)
                == Self.day("2026-10-03"))
        // The count is configurable.
        var policy = DeadlinePolicy.standard
        policy.responseWorkdays = 1
        item.urgent = nil
        item.raisedOn = "2026-09-30"
        #expect(try policy.due(for: item, version: 1, submittedOn: Self.day("2026-11-20"), calendar: Self.calendar) == Self.day("2026-10-08"))
    }

    @Test func aConsultationIsPublishedUnderTheGeneralRuleAndItsFeedbackFollowsTheClose() throws {
        var item = consultation
        item.formedOn = "2026-09-30"
        let basis = DeadlinePolicy.standard.basis(for: item, version: 1, submittedOn: Self.day("2026-11-20"))
        #expect(basis.workdays == 20 && basis.start == Self.day("2026-09-30"))
        // Comments until 09-30: twenty working days after it, the holiday skipped, is 11-03.
        item.commentsUntil = "2026-09-30"
        #expect(try DeadlinePolicy.standard.feedbackDue(for: item, calendar: Self.calendar) == Self.day("2026-11-03"))
        var policy = DeadlinePolicy.standard
        policy.feedbackWorkdays = 3
        #expect(try policy.feedbackDue(for: item, calendar: Self.calendar) == Self.day("2026-10-10"))
        #expect(try policy.feedbackDue(for: feedback, calendar: Self.calendar) == nil)
    }
}
