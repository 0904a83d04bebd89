import Foundation
import Testing
@testable import GongkaiCore

private let revocation = SampleDisclosures.revocationOnOrganisation
private let licence = SampleDisclosures.licence
private let penalty = SampleDisclosures.penaltyOnNaturalPerson

/// The optional 双公示 fields (issue 11 §1): registration numbers in place of a
/// credit code, the legal representative's ID, the suspended or revoked
/// licence of a penalty, a licence's status. Each of these tests fails on the
/// code before the fields existed (the keys were refused as unknown).
@Suite("Optional 双公示 fields: model, validation, masking, hash")
struct CreditOptionalFieldsTests {
    static let conditionalBreaks: [BadItem] = [
        BadItem("吊销 penalty without the revoked licence", revocation, ["penalty.suspendedOrRevokedLicence"]) {
            $0.penalty?.suspendedOrRevokedLicence = nil
        },
        BadItem("暂扣 penalty without the suspended licence", penalty, ["penalty.suspendedOrRevokedLicence"]) {
            $0.penalty?.penaltyTypes = ["暂扣许可证件"]
        },
        BadItem("blank suspended or revoked licence", revocation, ["penalty.suspendedOrRevokedLicence"]) {
            $0.penalty?.suspendedOrRevokedLicence = "　"
        },
        BadItem("organisation with neither credit code nor registration number", revocation, ["subject.creditCode"]) {
            $0.subject?.businessRegistrationNumber = nil
        },
        BadItem("individual business with neither credit code nor registration number", revocation, ["subject.creditCode"]) {
            $0.subject?.type = .individualBusiness
            $0.subject?.businessRegistrationNumber = nil
        },
        BadItem("blank registration number", revocation, ["subject.businessRegistrationNumber"]) {
            $0.subject?.businessRegistrationNumber = ""
        },
        BadItem("natural person with a registration number", penalty, ["subject.organisationCode"]) {
            $0.subject?.organisationCode = "12345678-9"
        },
        BadItem("legal representative's ID with a wrong check digit", revocation, ["subject.legalRepresentativeIDNumber"]) {
            $0.subject?.legalRepresentativeIDNumber = "220621197506140317"
        },
        BadItem("legal representative's ID without the representative", revocation, ["subject.legalRepresentative"]) {
            $0.subject?.legalRepresentative = nil
        },
        BadItem("legal representative's ID type without the number", licence, ["subject.legalRepresentativeIDNumber"]) {
            $0.subject?.legalRepresentativeIDType = "护照"
        },
    ]

    @Test func revocationSampleIsValid() throws {
        #expect(issueFields(revocation) == [])
        try ItemValidator.validate(revocation, today: testToday)
        #expect(revocation.penalty?.suspendsOrRevokesLicence == true)
        #expect(penalty.penalty?.suspendsOrRevokesLicence == false)
    }

    @Test(arguments: conditionalBreaks)
    func namesTheConditionalField(_ bad: BadItem) {
        #expect(issueFields(bad.item) == bad.fields)
        #expect(issueFields(bad.base) == [])
    }

    /// Sets the registration number with JSON key `key`.
    static func setRegistration(_ key: String, _ value: String?, on subject: inout DisclosureItem.Subject) {
        switch key {
        case "businessRegistrationNumber": subject.businessRegistrationNumber = value
        case "organisationCode": subject.organisationCode = value
        case "taxRegistrationNumber": subject.taxRegistrationNumber = value
        case "publicInstitutionCertificateNumber": subject.publicInstitutionCertificateNumber = value
        case "socialOrganisationCertificateNumber": subject.socialOrganisationCertificateNumber = value
        default: Issue.record("no registration number \(key)")
        }
    }

    @Test("each registration number alone stands in for the credit code", arguments: [
        "businessRegistrationNumber", "organisationCode", "taxRegistrationNumber", "publicInstitutionCertificateNumber",
        "socialOrganisationCertificateNumber",
    ])
    func registrationNumberStandsIn(_ key: String) throws {
        var subject = try #require(licence.subject)
        subject.creditCode = nil
        Self.setRegistration(key, "2206210000315", on: &subject)
        #expect(subject.registrationNumbers.filter { $0.value != nil }.map(\.key) == [key])
        var item = licence
        item.subject = subject
        #expect(issueFields(item) == [])
        // Before this change the same item was refused for its missing credit code.
        Self.setRegistration(key, nil, on: &subject)
        item.subject = subject
        #expect(issueFields(item) == ["subject.creditCode"])
    }

    @Test("the missing credit code's message names the registration numbers; the 暂扣/吊销 one names the standard field")
    func messagesNameTheAlternatives() throws {
        var organisation = revocation
        organisation.subject?.businessRegistrationNumber = nil
        let issue = try #require(ItemValidator.issues(in: organisation, today: testToday).first)
        #expect(issue.field == "subject.creditCode")
        #expect(issue.message.contains("businessRegistrationNumber") && issue.message.contains("socialOrganisationCertificateNumber"))

        var revoked = revocation
        revoked.penalty?.suspendedOrRevokedLicence = nil
        do throws(GongkaiError) {
            try ItemValidator.validate(revoked, today: testToday)
            Issue.record("a 吊销 penalty without the licence must be refused")
        } catch {
            #expect(error.code == .missingField)
            #expect(error.field == "penalty.suspendedOrRevokedLicence")
            #expect(error.message.contains("暂扣或吊销证照名称及编号"))
        }
    }

    @Test func legalRepresentativeWithPassportNeedsNoCheckDigit() {
        var item = revocation
        item.subject?.legalRepresentativeIDType = "护照"
        item.subject?.legalRepresentativeIDNumber = "E12345678"
        #expect(issueFields(item) == [])
    }

    @Test func newKeysDecodeAndRoundTrip() throws {
        var item = revocation
        item.subject?.organisationCode = "12345678-9"
        item.subject?.taxRegistrationNumber = "220621123456789"
        item.subject?.publicInstitutionCertificateNumber = "事证第122060000123号"
        item.subject?.socialOrganisationCertificateNumber = "吉民证字第010203号"
        let decoded = try ItemDecoding.decodeSubmission(jsonBytes(item))
        #expect(decoded == [item])

        var valid = licence
        valid.licence?.status = .invalid
        let text = String(decoding: jsonBytes(valid), as: UTF8.self)
        #expect(text.contains(#""status":"无效""#))
        #expect(try ItemDecoding.decodeSubmission(Array(text.utf8)) == [valid])
    }

    @Test func unknownLicenceStatusNamesTheFieldAndTheValues() throws {
        let text = jsonText(licence) { object in
            var detail = object["licence"] as! [String: Any]
            detail["status"] = "生效"
            object["licence"] = detail
        }
        let error = try #require(decodeError(text))
        #expect(error.field == "licence.status")
        #expect(error.message.contains("有效") && error.message.contains("无效"))
    }

    @Test("items that use none of the new fields keep their content hash")
    func hashesOfItemsWithoutTheNewFieldsAreUnchanged() {
        // Pinned from the code before the fields existed (`gongkai submit --json` of the same items).
        #expect(ItemCanonicalForm.contentHash(penalty) == "15cea1ef75490a563bd5c4e0d5fe98761f7d7c9f5538420ce5d2663e7bdf53f0")
        #expect(ItemCanonicalForm.contentHash(licence) == "ef303a57908128c2764c060d3c89ac8ae148cbd1bf8402a73af4950ed59fa86a")
        let document = String(decoding: ItemCanonicalForm.document(licence), as: UTF8.self)
        for key in ["status", "suspendedOrRevokedLicence", "legalRepresentativeIDNumber", "businessRegistrationNumber"] {
            #expect(!document.contains("\"\(key)\""), "\(key)")
        }
        var withStatus = licence
        withStatus.licence?.status = .valid
        #expect(ItemCanonicalForm.contentHash(withStatus) != ItemCanonicalForm.contentHash(licence))
    }

    @Test("public channels see the legal representative's name but not the ID number")
    func legalRepresentativeIDIsMasked() {
        var item = revocation
        item.penalty?.penaltyTypes = ["吊销许可证件"]
        item.penalty?.suspendedOrRevokedLicence = "机动车驾驶证（证号220621197506140316）"
        let masked = PrivacyMasking.maskedForPublic(item)
        #expect(masked.subject?.legalRepresentativeIDNumber == "220621********0316")
        #expect(masked.subject?.legalRepresentative == "王振山")
        #expect(masked.subject?.businessRegistrationNumber == "220621000031572")
        #expect(masked.penalty?.suspendedOrRevokedLicence == "机动车驾驶证（证号220621********0316）")
        let document = String(decoding: ItemCanonicalForm.document(masked), as: UTF8.self)
        #expect(!document.contains("220621197506140316"))
        #expect(PrivacyMasking.maskedForPublic(masked) == masked)
    }

    @Test func schemaKnowsTheLicenceStatuses() throws {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("schema/disclosure-item.schema.json"))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let definitions = try #require(schema["$defs"] as? [String: Any])
        let licenceSchema = try #require(definitions["licence"] as? [String: Any])
        let properties = try #require(licenceSchema["properties"] as? [String: Any])
        let status = try #require(properties["status"] as? [String: Any])
        let options = try #require(status["anyOf"] as? [[String: Any]])
        #expect(options.first?["enum"] as? [String] == DisclosureItem.LicenceStatus.allCases.map(\.rawValue))
    }

    @Test("the field table documents every new key")
    func docsNameEveryNewKey() throws {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("docs/disclosure-item.md"), encoding: .utf8)
        for path in [
            "subject.businessRegistrationNumber", "subject.organisationCode", "subject.taxRegistrationNumber",
            "subject.publicInstitutionCertificateNumber", "subject.socialOrganisationCertificateNumber",
            "subject.legalRepresentativeIDType", "subject.legalRepresentativeIDNumber",
            "penalty.suspendedOrRevokedLicence", "licence.status",
        ] {
            #expect(text.contains("| `\(path)` |"), "\(path)")
        }
    }
}
