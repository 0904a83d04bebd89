import Foundation
import Testing
@testable import GongkaiCore

/// One broken item and the exact fields the validator must name.
struct BadItem: Sendable, CustomTestStringConvertible {
    let name: String
    let base: DisclosureItem
    let fields: [String]
    let change: @Sendable (inout DisclosureItem) -> Void
    var testDescription: String { name }

    init(_ name: String, _ base: DisclosureItem, _ fields: [String], _ change: @escaping @Sendable (inout DisclosureItem) -> Void) {
        self.name = name
        self.base = base
        self.fields = fields
        self.change = change
    }

    var item: DisclosureItem {
        var item = base
        change(&item)
        return item
    }
}

private let policy = SampleDisclosures.policy
private let penalty = SampleDisclosures.penaltyOnNaturalPerson
private let licence = SampleDisclosures.licence
private let interpretation = SampleDisclosures.interpretation
private let goodHash = String(repeating: "ab", count: 32)
private let goodAttachment = DisclosureItem.Attachment(name: "实施方案.pdf", url: "https://lcj.jl.gov.cn/files/2026/fa.pdf", sha256: goodHash)

private let badItems: [BadItem] = [
    // id
    BadItem("empty id", policy, ["id"]) { $0.id = "" },
    BadItem("id starting with '-'", policy, ["id"]) { $0.id = "-policy" },
    BadItem("id with a space", policy, ["id"]) { $0.id = "policy 12" },
    BadItem("id with Chinese", policy, ["id"]) { $0.id = "政策12" },
    BadItem("id of 129 characters", policy, ["id"]) { $0.id = String(repeating: "a", count: 129) },
    // title, summary, body
    BadItem("blank title", policy, ["title"]) { $0.title = " \u{3000} " },
    BadItem("title with a newline", policy, ["title"]) { $0.title = "关于……的通知\n第二行" },
    BadItem("title with a tab", policy, ["title"]) { $0.title = "关于\t通知" },
    BadItem("title of 301 characters", policy, ["title"]) { $0.title = String(repeating: "林", count: 301) },
    BadItem("summary of 2001 characters", policy, ["summary"]) { $0.summary = String(repeating: "林", count: 2001) },
    BadItem("empty body", policy, ["body"]) { $0.body = "" },
    BadItem("blank body", policy, ["body"]) { $0.body = "  \n\t" },
    // publisher
    BadItem("empty publisher name", policy, ["publisher.name"]) { $0.publisher.name = "" },
    BadItem("publisher code with wrong check character", policy, ["publisher.code"]) { $0.publisher.code = "112200000135442853" },
    BadItem("publisher code too short", policy, ["publisher.code"]) { $0.publisher.code = "11220000013544285" },
    // catalogue metadata
    BadItem("empty index number", policy, ["indexNumber"]) { $0.indexNumber = "" },
    BadItem("index number without code", policy, ["indexNumber"]) { $0.indexNumber = "2026-00012" },
    BadItem("document number with []", policy, ["documentNumber"]) { $0.documentNumber = "吉林林草发[2026]12号" },
    BadItem("document number zero-padded", policy, ["documentNumber"]) { $0.documentNumber = "吉林林草发〔2026〕012号" },
    BadItem("normative document without document number", policy, ["documentNumber"]) {
        $0.kind = .normative
        $0.documentNumber = nil
    },
    BadItem("empty topic", policy, ["topic"]) { $0.topic = "" },
    // dates
    BadItem("writtenOn not a real day", policy, ["writtenOn"]) { $0.writtenOn = "2026-02-30" },
    BadItem("publishOn with slashes", policy, ["publishOn"]) { $0.publishOn = "2026/03/05" },
    BadItem("empty publishOn", policy, ["publishOn"]) { $0.publishOn = "" },
    BadItem("formedOn month 13", policy, ["formedOn"]) { $0.formedOn = "2026-13-01" },
    BadItem("publishOn before writtenOn", policy, ["publishOn"]) { $0.publishOn = "2026-03-01" },
    // attachments
    BadItem("attachment without name", policy, ["attachments[0].name"]) {
        $0.attachments = [DisclosureItem.Attachment(name: "", url: goodAttachment.url, sha256: goodHash)]
    },
    BadItem("attachment with ftp url", policy, ["attachments[1].url"]) {
        $0.attachments = [goodAttachment, DisclosureItem.Attachment(name: "a.pdf", url: "ftp://lcj.jl.gov.cn/a.pdf", sha256: goodHash)]
    },
    BadItem("attachment with relative url", policy, ["attachments[0].url"]) {
        $0.attachments = [DisclosureItem.Attachment(name: "a.pdf", url: "/files/a.pdf", sha256: goodHash)]
    },
    BadItem("attachment with unencoded space", policy, ["attachments[0].url"]) {
        $0.attachments = [DisclosureItem.Attachment(name: "a.pdf", url: "https://lcj.jl.gov.cn/a b.pdf", sha256: goodHash)]
    },
    BadItem("attachment url without host", policy, ["attachments[0].url"]) {
        $0.attachments = [DisclosureItem.Attachment(name: "a.pdf", url: "https:///a.pdf", sha256: goodHash)]
    },
    BadItem("attachment url not a url", policy, ["attachments[0].url"]) {
        $0.attachments = [DisclosureItem.Attachment(name: "a.pdf", url: "实施方案.pdf", sha256: goodHash)]
    },
    BadItem("attachment with upper-case hash", policy, ["attachments[0].sha256"]) {
        $0.attachments = [DisclosureItem.Attachment(name: "a.pdf", url: goodAttachment.url, sha256: goodHash.uppercased())]
    },
    BadItem("attachment with short hash", policy, ["attachments[0].sha256"]) {
        $0.attachments = [DisclosureItem.Attachment(name: "a.pdf", url: goodAttachment.url, sha256: "abc123")]
    },
    BadItem("attachment with empty hash", policy, ["attachments[0].sha256"]) {
        $0.attachments = [DisclosureItem.Attachment(name: "a.pdf", url: goodAttachment.url, sha256: "")]
    },
    BadItem("51 attachments", policy, ["attachments"]) { $0.attachments = Array(repeating: goodAttachment, count: 51) },
    // attribute
    BadItem("withheld without reason", policy, ["withheldReason"]) { $0.attribute = .withheld },
    BadItem("withheld with blank reason", policy, ["withheldReason"]) {
        $0.attribute = .withheld
        $0.withheldReason = "  "
    },
    // relatedTo
    BadItem("related id malformed", policy, ["relatedTo[1]"]) { $0.relatedTo = ["jl-forestry-notice-2026-0041", "bad id"] },
    BadItem("related to itself", policy, ["relatedTo[0]"]) { $0.relatedTo = [policy.id] },
    BadItem("interpretation without relatedTo", interpretation, ["relatedTo"]) { $0.relatedTo = nil },
    BadItem("interpretation with empty relatedTo", interpretation, ["relatedTo"]) { $0.relatedTo = [] },
    // kind ⇒ details
    BadItem("penalty without subject", penalty, ["subject"]) { $0.subject = nil },
    BadItem("penalty without penalty detail", penalty, ["penalty"]) { $0.penalty = nil },
    BadItem("penalty with licence detail", penalty, ["licence"]) { $0.licence = licence.licence },
    BadItem("licence without subject", licence, ["subject"]) { $0.subject = nil },
    BadItem("licence without licence detail", licence, ["licence"]) { $0.licence = nil },
    BadItem("licence with penalty detail", licence, ["penalty"]) { $0.penalty = penalty.penalty },
    BadItem("notice with penalty detail", SampleDisclosures.notice, ["penalty"]) { $0.penalty = penalty.penalty },
    BadItem("notice with licence detail", SampleDisclosures.notice, ["licence"]) { $0.licence = licence.licence },
    // subject
    BadItem("subject without name", penalty, ["subject.name"]) { $0.subject?.name = "" },
    BadItem("natural person with credit code", penalty, ["subject.creditCode"]) { $0.subject?.creditCode = "91220600MA14TLW8KP" },
    BadItem("natural person without ID number", penalty, ["subject.idNumber"]) { $0.subject?.idNumber = nil },
    BadItem("natural person ID with wrong check digit", penalty, ["subject.idNumber"]) { $0.subject?.idNumber = "220621197903082518" },
    BadItem("natural person ID with lower-case x", penalty, ["subject.idNumber"]) { $0.subject?.idNumber = "11010119900307803x" },
    BadItem("natural person born in the future", penalty, ["subject.idNumber"]) { $0.subject?.idNumber = "220102202701010012" },
    BadItem("organisation without credit code", licence, ["subject.creditCode"]) { $0.subject?.creditCode = nil },
    BadItem("organisation credit code with wrong check", licence, ["subject.creditCode"]) { $0.subject?.creditCode = "91220600MA14TLW8KQ" },
    BadItem("organisation credit code with letter I", licence, ["subject.creditCode"]) { $0.subject?.creditCode = "91220600MI14TLW8KP" },
    BadItem("individual business without credit code", licence, ["subject.creditCode"]) {
        $0.subject?.type = .individualBusiness
        $0.subject?.creditCode = nil
    },
    BadItem("organisation with an invalid ID number", licence, ["subject.idNumber"]) { $0.subject?.idNumber = "110101199003078035" },
    // penalty detail
    BadItem("penalty decision number empty", penalty, ["penalty.decisionNumber"]) { $0.penalty?.decisionNumber = "" },
    BadItem("penalty violation type empty", penalty, ["penalty.violationType"]) { $0.penalty?.violationType = " " },
    BadItem("penalty facts empty", penalty, ["penalty.facts"]) { $0.penalty?.facts = "" },
    BadItem("penalty basis empty", penalty, ["penalty.basis"]) { $0.penalty?.basis = "" },
    BadItem("penalty content empty", penalty, ["penalty.content"]) { $0.penalty?.content = "" },
    BadItem("penalty without types", penalty, ["penalty.penaltyTypes"]) { $0.penalty?.penaltyTypes = [] },
    BadItem("penalty with a blank type", penalty, ["penalty.penaltyTypes[1]"]) { $0.penalty?.penaltyTypes = ["罚款", ""] },
    BadItem("negative fine", penalty, ["penalty.fineAmount"]) { $0.penalty?.fineAmount = -0.5 },
    BadItem("confiscated amount not a number", penalty, ["penalty.confiscatedAmount"]) { $0.penalty?.confiscatedAmount = .nan },
    BadItem("penalty decided after today", penalty, ["penalty.decidedOn"]) { $0.penalty?.decidedOn = "2026-11-21" },
    BadItem("penalty decided on no real day", penalty, ["penalty.decidedOn"]) { $0.penalty?.decidedOn = "2026-02-29" },
    BadItem("penalty valid until before decision", penalty, ["penalty.validUntil"]) { $0.penalty?.validUntil = "2026-10-19" },
    BadItem("penalty public until malformed", penalty, ["penalty.publicUntil"]) { $0.penalty?.publicUntil = "2027-4-19" },
    BadItem("penalty authority without name", penalty, ["penalty.authority.name"]) { $0.penalty?.authority.name = "" },
    BadItem("penalty authority code wrong check", penalty, ["penalty.authority.code"]) { $0.penalty?.authority.code = "112200000135442850" },
    BadItem("penalty data source code empty", penalty, ["penalty.dataSource.code"]) { $0.penalty?.dataSource.code = "" },
    // licence detail
    BadItem("licence document name empty", licence, ["licence.documentName"]) { $0.licence?.documentName = "" },
    BadItem("licence decision number empty", licence, ["licence.decisionNumber"]) { $0.licence?.decisionNumber = "" },
    BadItem("licence type not in the list", licence, ["licence.licenceType"]) { $0.licence?.licenceType = "一般" },
    BadItem("licence type empty", licence, ["licence.licenceType"]) { $0.licence?.licenceType = "" },
    BadItem("licence content empty", licence, ["licence.content"]) { $0.licence?.content = "" },
    BadItem("licence decided after today", licence, ["licence.decidedOn"]) { $0.licence?.decidedOn = "2026-12-01" },
    BadItem("licence validFrom after validUntil", licence, ["licence.validUntil"]) { $0.licence?.validUntil = "2026-09-14" },
    BadItem("licence validFrom not a date", licence, ["licence.validFrom"]) { $0.licence?.validFrom = "2026-09-31" },
    BadItem("licence authority code wrong", licence, ["licence.authority.code"]) { $0.licence?.authority.code = "91350100M000100Y44" },
    BadItem("licence data source without name", licence, ["licence.dataSource.name"]) { $0.licence?.dataSource.name = "" },
]

@Suite struct ItemValidatorTests {
    @Test(arguments: SampleDisclosures.all)
    func samplesAreValid(_ item: DisclosureItem) throws {
        #expect(issueFields(item) == [])
        try ItemValidator.validate(item, today: testToday)
    }

    @Test(arguments: badItems + consultationAndResponseBadItems)
    func namesExactlyTheBrokenField(_ bad: BadItem) {
        #expect(issueFields(bad.item) == bad.fields)
        #expect(issueFields(bad.base) == [])
    }

    @Test func acceptableVariants() {
        var normative = policy
        normative.kind = .normative
        #expect(issueFields(normative) == [])

        var passport = penalty
        passport.subject?.idType = "护照"
        passport.subject?.idNumber = "E12345678"
        #expect(issueFields(passport) == [])

        var free = penalty
        free.penalty?.fineAmount = 0
        free.penalty?.confiscatedAmount = nil
        free.penalty?.validUntil = nil
        free.penalty?.publicUntil = "2026-10-20"
        #expect(issueFields(free) == [])

        var attached = policy
        attached.attachments = [goodAttachment, DisclosureItem.Attachment(name: "b.docx", url: "http://example.gov.cn:8080/b.docx?v=1", sha256: goodHash),
            DisclosureItem.Attachment(name: "附件.pdf", url: "HTTPS://lcj.jl.gov.cn/附件/实施方案.pdf", sha256: goodHash)]
        #expect(issueFields(attached) == [])

        var sameDay = policy
        sameDay.publishOn = sameDay.writtenOn
        #expect(issueFields(sameDay) == [])

        var business = licence
        business.subject?.type = .individualBusiness
        business.subject?.creditCode = "92220621MA150N6C06"
        business.subject?.idNumber = "220621197903082519"
        #expect(issueFields(business) == [])

        #expect(ItemValidator.isWellFormedID("a"))
        #expect(ItemValidator.isWellFormedID("A1._:-z"))
        #expect(ItemValidator.isWellFormedID(String(repeating: "a", count: 128)))
        #expect(!ItemValidator.isWellFormedID("_a"))
    }

    @Test func reportsEveryProblem() {
        var item = penalty
        item.title = ""
        item.subject?.idNumber = "220621197903082518"
        item.penalty?.fineAmount = -1
        #expect(issueFields(item) == ["title", "subject.idNumber", "penalty.fineAmount"])
    }

    @Test func validateThrowsMissingFieldWithAllIssues() {
        var item = penalty
        item.title = ""
        item.subject?.idNumber = "220621197903082518"
        #expect {
            try ItemValidator.validate(item, today: testToday)
        } throws: { error in
            guard let error = error as? GongkaiError else { return false }
            return error.code == .missingField && error.field == "title" && error.item == item.id
                && error.issues.map(\.field) == ["title", "subject.idNumber"]
                && error.message.hasPrefix("2 problems")
        }
    }

    @Test func validateThrowsInvalidField() throws {
        var item = penalty
        item.subject?.idNumber = "220621197903082518"
        do throws(GongkaiError) {
            try ItemValidator.validate(item, today: testToday)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidField)
            #expect(error.field == "subject.idNumber")
            #expect(error.message == "wrong check character '8': expected '9'")
            #expect(error.issues == [GongkaiError.FieldIssue(field: "subject.idNumber", message: error.message)])
        }
    }

    @Test func validateThrowsOversizedForBigBody() {
        var item = policy
        item.title = "\u{7}bell"
        item.body = String(repeating: "林", count: 400)  // 1200 bytes
        let limits = ItemLimits(maxBodyBytes: 1000)
        #expect(issueFields(item, limits: limits) == ["title", "body"])
        do throws(GongkaiError) {
            try ItemValidator.validate(item, limits: limits, today: testToday)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .oversized)
            #expect(error.field == "body")
            #expect(error.message.contains("1200 bytes; the limit is 1000"))
            #expect(error.issues.count == 2)
        }
    }

    @Test func todayMatters() {
        // The same penalty is fine once its decision day has come.
        var item = penalty
        item.penalty?.decidedOn = "2026-11-21"
        item.penalty?.validUntil = nil
        item.penalty?.publicUntil = nil
        #expect(ItemValidator.issues(in: item, today: CalendarDate("2026-11-21")!) == [])
    }
}

/// Line breaks in a title, and numbers JSON can write but Swift cannot hold (issue 11 §2).
@Suite("Validation loose ends")
struct ValidationLooseEndTests {
    @Test("U+2028 and U+2029 in a title are refused like U+0085", arguments: ["\u{2028}", "\u{2029}", "\u{85}"])
    func lineBreaksInATitle(_ separator: String) {
        // Before this change U+2028/U+2029 were accepted.
        var item = SampleDisclosures.notice
        item.title = "关于开展" + separator + "森林防火检查的通知"
        #expect(issueFields(item) == ["title"])
    }

    @Test("fineAmount 1e400 is refused naming penalty.fineAmount, not an empty field")
    func unrepresentableNumberNamesItsField() throws {
        // Before this change: `invalid value for ""`, with no field.
        let text = jsonText(SampleDisclosures.penaltyOnNaturalPerson) { object in
            var detail = object["penalty"] as! [String: Any]
            detail["fineAmount"] = 1
            object["penalty"] = detail
        }.replacingOccurrences(of: "\"fineAmount\":1", with: "\"fineAmount\":1e400")
        #expect(text.contains("1e400"))
        let error = try #require(decodeError(text))
        #expect(error.code == .invalidField)
        #expect(error.field == "penalty.fineAmount")
        #expect(error.message.contains("1e400"))
    }
}
