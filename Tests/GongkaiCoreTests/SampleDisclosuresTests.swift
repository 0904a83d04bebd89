import Testing
@testable import GongkaiCore

@Suite struct SampleDisclosuresTests {
    @Test func namedSamplesAreValidAndDatedIn2026() throws {
        let latest = CalendarDate("2026-11-20")!
        for item in SampleDisclosures.all {
            #expect(issueFields(item) == [], "\(item.id)")
            for text in [item.writtenOn, item.publishOn] + [item.formedOn, item.penalty?.decidedOn, item.licence?.decidedOn, item.commentsUntil, item.raisedOn].compactMap({ $0 }) {
                let date = try #require(CalendarDate(text))
                #expect(date.year == 2026 && date <= latest, "\(item.id) \(text)")
            }
        }
        #expect(Set(SampleDisclosures.all.map(\.id)).count == SampleDisclosures.all.count)
    }

    @Test func samplesHaveTheirShapes() {
        #expect(SampleDisclosures.policy.kind == .policy && SampleDisclosures.policy.category == .decision)
        #expect(SampleDisclosures.policy.documentNumber != nil)
        #expect(SampleDisclosures.interpretation.relatedTo == [SampleDisclosures.policy.id])
        #expect(SampleDisclosures.penaltyOnNaturalPerson.subject?.type == .naturalPerson)
        #expect(SampleDisclosures.licence.subject?.type == .organisation)
        #expect(SampleDisclosures.withheld.attribute == .withheld && SampleDisclosures.withheld.withheldReason != nil)
        #expect(SampleDisclosures.notice.kind == .notice)
        #expect(SampleDisclosures.consultation.kind == .consultation && SampleDisclosures.consultation.majorDecision == true)
        #expect(SampleDisclosures.feedback.relatedTo == [SampleDisclosures.consultation.id])
        #expect(SampleDisclosures.response.raisedOn != nil && SampleDisclosures.response.urgent == nil)
        #expect(SampleDisclosures.urgentResponse.urgent == true)
        #expect(Set(SampleDisclosures.all.map(\.kind)).isSuperset(of: [.consultation, .feedback, .response]))
    }

    @Test func editedIsADifferentValidVersion() {
        for item in SampleDisclosures.all {
            let edited = SampleDisclosures.edited(item)
            #expect(edited != item)
            #expect(edited.id == item.id)
            #expect(edited.title != item.title && edited.body != item.body)
            #expect(issueFields(edited) == [])
        }
    }

    @Test func generatedItemsAreDistinctValidAndDeterministic() {
        let items = SampleDisclosures.generated(count: 3000, seed: 7)
        #expect(items.count == 3000)
        #expect(Set(items.map(\.id)).count == 3000)
        #expect(items[0].id == "bench-7-0" && items[2999].id == "bench-7-2999")
        #expect(items.prefix(6).map(\.kind) == [.policy, .notice, .result, .policy, .notice, .result])
        for item in items {
            #expect(issueFields(item) == [], "\(item.id)")
            #expect((1024...2048).contains(item.body.utf8.count), "\(item.id): \(item.body.utf8.count) bytes")
        }
        #expect(SampleDisclosures.generated(count: 50, seed: 7) == Array(items.prefix(50)))
        #expect(SampleDisclosures.generated(count: 50, seed: 8).map(\.body) != items.prefix(50).map(\.body))
        #expect(SampleDisclosures.generated(count: 0, seed: 1).isEmpty)
    }
}
