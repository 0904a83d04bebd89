import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import Testing

/// The optional fields of the national 双公示 set (issue 11 §1), from the item
/// to the record and through the simulator. Before this change the mapper
/// sent none of them and the simulator refused them as UNKNOWN_FIELD.
@Suite("Credit record mapping: optional 双公示 fields")
struct CreditOptionalFieldsMappingTests {
    static let revocation = SampleDisclosures.revocationOnOrganisation

    @Test("a 吊销 penalty on an organisation without a credit code maps ZKDX, GSZC and the legal representative's ID")
    func revocationOnOrganisation() throws {
        let record = try CreditRecordMapper.record(for: Self.revocation)
        let fields = record.fields
        #expect(fields["CF_XDR_LB"] == "法人及非法人组织")
        #expect(fields["CF_XDR_SHXYM"] == nil)
        #expect(fields["CF_XDR_GSZC"] == "220621000031572")
        #expect(fields["CF_FRDB"] == "王振山")
        #expect(fields["CF_FR_ZJLX"] == "001")
        #expect(fields["CF_FR_ZJHM"] == "220621197506140316")
        #expect(fields["CF_CFLB"] == "罚款;吊销许可证件")
        #expect(fields["CF_NR_ZKDX"] == "木材经营加工许可证（吉林草木加〔2024〕0375号）")
        #expect(fields["CF_NR_FK"] == "2.5")
        #expect(fields["CF_XDR_ZJLX"] == nil && fields["CF_XDR_ZJHM"] == nil)
        #expect(fields.keys.allSatisfy { $0.hasPrefix("CF_") || $0 == "BZ" })
    }

    @Test("each registration number goes to its XDR_ field", arguments: [
        ("businessRegistrationNumber", "XDR_GSZC"), ("organisationCode", "XDR_ZZJG"), ("taxRegistrationNumber", "XDR_SWDJ"),
        ("publicInstitutionCertificateNumber", "XDR_SYDW"), ("socialOrganisationCertificateNumber", "XDR_SHZZ"),
    ])
    func registrationNumbers(_ key: String, _ suffix: String) throws {
        var subject = try #require(SampleDisclosures.licence.subject)
        subject.creditCode = nil
        switch key {
        case "businessRegistrationNumber": subject.businessRegistrationNumber = "R-1"
        case "organisationCode": subject.organisationCode = "R-1"
        case "taxRegistrationNumber": subject.taxRegistrationNumber = "R-1"
        case "publicInstitutionCertificateNumber": subject.publicInstitutionCertificateNumber = "R-1"
        default: subject.socialOrganisationCertificateNumber = "R-1"
        }
        var licence = SampleDisclosures.licence
        licence.subject = subject
        let licenceFields = try CreditRecordMapper.record(for: licence).fields
        #expect(licenceFields["XK_" + suffix] == "R-1")
        #expect(licenceFields["XK_XDR_SHXYM"] == nil)
        var penalty = Self.revocation
        penalty.subject = subject
        #expect(try CreditRecordMapper.record(for: penalty).fields["CF_" + suffix] == "R-1")
    }

    @Test("licence status is XK_ZT 1 or 2, and absent when the item has none")
    func licenceStatus() throws {
        var licence = SampleDisclosures.licence
        #expect(try CreditRecordMapper.record(for: licence).fields["XK_ZT"] == nil)
        licence.licence?.status = .valid
        #expect(try CreditRecordMapper.record(for: licence).fields["XK_ZT"] == "1")
        licence.licence?.status = .invalid
        #expect(try CreditRecordMapper.record(for: licence).fields["XK_ZT"] == "2")
        licence.subject?.legalRepresentativeIDType = "护照"
        licence.subject?.legalRepresentativeIDNumber = "E12345678"
        let fields = try CreditRecordMapper.record(for: licence).fields
        #expect(fields["XK_FRDB"] == "张志远")
        #expect(fields["XK_FR_ZJLX"] == "002")
        #expect(fields["XK_FR_ZJHM"] == "E12345678")
    }

    @Test("a masked or oddly typed legal representative's ID is refused naming its field")
    func legalRepresentativeRefusals() {
        let masked = PrivacyMasking.maskedForPublic(Self.revocation)
        do throws(GongkaiError) {
            _ = try CreditRecordMapper.record(for: masked)
            Issue.record("a masked ID number must not map")
        } catch {
            #expect(error.field == "subject.legalRepresentativeIDNumber")
            #expect(error.message.contains("audience: government"))
        }
        var oddType = Self.revocation
        oddType.subject?.legalRepresentativeIDType = "军官证"
        do throws(GongkaiError) {
            _ = try CreditRecordMapper.record(for: oddType)
            Issue.record("an unknown 证件类型 must not map")
        } catch {
            #expect(error.field == "subject.legalRepresentativeIDType")
        }
    }

    @Test("the simulator takes the new fields and refuses a 吊销 penalty that does not name the licence")
    func throughTheSimulator() async throws {
        try await CreditFeedAdapterTests.withFeed { simulator, adapter in
            var licence = SampleDisclosures.licence
            licence.licence?.status = .valid
            licence.subject?.legalRepresentativeIDNumber = "220621197506140316"
            let results = await adapter.deliverBatch(
                [CreditFeedAdapterTests.request(Self.revocation), CreditFeedAdapterTests.request(licence)],
                deadline: CreditFeedAdapterTests.deadline)
            #expect(results.allSatisfy { (try? $0.get()) != nil })
            let penalty = try #require(simulator.record(itemID: Self.revocation.id))
            #expect(penalty.fields["CF_NR_ZKDX"] == "木材经营加工许可证（吉林草木加〔2024〕0375号）")
            #expect(penalty.fields["CF_XDR_GSZC"] == "220621000031572")
            #expect(penalty.fields["CF_FR_ZJHM"] == "220621197506140316")
            let held = try #require(simulator.record(itemID: licence.id))
            #expect(held.fields["XK_ZT"] == "1")
            #expect(held.fields["XK_FR_ZJLX"] == "001")

            // An item that skipped validation: the platform itself refuses it, permanently, with its reason.
            var unnamed = Self.revocation
            unnamed.id = "jl-forestry-penalty-2026-0022"
            unnamed.penalty?.suspendedOrRevokedLicence = nil
            do throws(DeliveryError) {
                _ = try await adapter.deliver(CreditFeedAdapterTests.request(unnamed), deadline: CreditFeedAdapterTests.deadline)
                Issue.record("a 吊销 penalty without CF_NR_ZKDX must be refused")
            } catch {
                #expect(!error.isRetryable)
                #expect(error.failure.message.contains("MISSING_FIELD"))
                #expect(error.failure.message.contains("CF_NR_ZKDX"))
            }
            #expect(simulator.record(itemID: unnamed.id) == nil)
            #expect(simulator.rejectedCounts["MISSING_FIELD"] == 1)
        }
    }
}
