import GongkaiChannels
import GongkaiCore
import Testing

@Suite("Credit record mapping (双公示 national field codes)")
struct CreditRecordMapperTests {
    @Test("a penalty on a natural person maps to the CF fields with the full ID number")
    func penaltyOnNaturalPerson() throws {
        let record = try CreditRecordMapper.record(for: SampleDisclosures.penaltyOnNaturalPerson)
        #expect(record.type == .penalty)
        let fields = record.fields
        #expect(fields["CF_XDR_MC"] == "李建国")
        #expect(fields["CF_XDR_LB"] == "自然人")
        #expect(fields["CF_XDR_SHXYM"] == nil)
        #expect(fields["CF_XDR_ZJLX"] == "001")
        #expect(fields["CF_XDR_ZJHM"] == "220621197903082519")
        #expect(fields["CF_WSH"] == "吉林草罚决字〔2026〕15号")
        #expect(fields["CF_WFXW"] == "滥伐林木")
        #expect(fields["CF_CFLB"] == "罚款")
        #expect(fields["CF_NR_FK"] == "0.84")
        #expect(fields["CF_NR_WFFF"] == nil)
        #expect(fields["CF_JDRQ"] == "2026/10/20")
        #expect(fields["CF_YXQ"] == "2027/10/19")
        #expect(fields["CF_GSJZQ"] == "2027/04/19")
        #expect(fields["CF_CFJG"] == "吉林省林业和草原局")
        #expect(fields["CF_CFJGDM"] == "112200000135442852")
        #expect(fields["CF_SJLYDM"] == "112200000135442852")
        #expect(fields["BZ"] == nil)
        #expect(fields.keys.allSatisfy { $0.hasPrefix("CF_") || $0 == "BZ" })
        #expect(fields.values.allSatisfy { !$0.isEmpty })
    }

    @Test("a licence maps to the XK fields; 2099-12-31 becomes the long-term 2099/12/31")
    func licence() throws {
        var item = SampleDisclosures.licence
        item.licence?.validUntil = "2099-12-31"
        item.licence?.remarks = "长期有效"
        let record = try CreditRecordMapper.record(for: item)
        #expect(record.type == .licence)
        let fields = record.fields
        #expect(fields["XK_XDR_MC"] == "吉林省长白山林海木业有限公司")
        #expect(fields["XK_XDR_LB"] == "法人及非法人组织")
        #expect(fields["XK_XDR_SHXYM"] == "91220600MA14TLW8KP")
        #expect(fields["XK_FRDB"] == "张志远")
        #expect(fields["XK_XKWS"] == "林木采伐许可决定书")
        #expect(fields["XK_WSH"] == "吉林草采许〔2026〕208号")
        #expect(fields["XK_XKLB"] == "普通")
        #expect(fields["XK_XKZS"] == "林木采伐许可证")
        #expect(fields["XK_XKBH"] == "JL2026-CF-000208")
        #expect(fields["XK_JDRQ"] == "2026/09/15")
        #expect(fields["XK_YXQZ"] == "2026/09/15")
        #expect(fields["XK_YXQZI"] == CreditRecord.longTermDate)
        #expect(fields["XK_XKJGDM"] == "112200000135442852")
        #expect(fields["XK_LYDW"] == "吉林省林业和草原局")
        #expect(fields["BZ"] == "长期有效")
        #expect(fields["XK_XDR_ZJHM"] == nil)
    }

    @Test("a penalty without 处罚有效期 is sent as long-term")
    func penaltyWithoutValidity() throws {
        var item = SampleDisclosures.penaltyOnNaturalPerson
        item.penalty?.validUntil = nil
        item.penalty?.publicUntil = nil
        let fields = try CreditRecordMapper.record(for: item).fields
        #expect(fields["CF_YXQ"] == "2099/12/31")
        #expect(fields["CF_GSJZQ"] == nil)
    }

    @Test("items that cannot become a record are refused naming the field")
    func refusals() {
        #expect(throws: GongkaiError.self) { try CreditRecordMapper.record(for: SampleDisclosures.policy) }
        do throws(GongkaiError) {
            _ = try CreditRecordMapper.record(for: SampleDisclosures.policy)
        } catch {
            #expect(error.field == "kind")
        }
        let masked = PrivacyMasking.maskedForPublic(SampleDisclosures.penaltyOnNaturalPerson)
        do throws(GongkaiError) {
            _ = try CreditRecordMapper.record(for: masked)
            Issue.record("a masked ID number must not map")
        } catch {
            #expect(error.field == "subject.idNumber")
            #expect(error.message.contains("audience: government"))
        }
        var oddType = SampleDisclosures.penaltyOnNaturalPerson
        oddType.subject?.idType = "军官证"
        do throws(GongkaiError) {
            _ = try CreditRecordMapper.record(for: oddType)
            Issue.record("an unknown 证件类型 must not map")
        } catch {
            #expect(error.field == "subject.idType")
        }
        var badDate = SampleDisclosures.licence
        badDate.licence?.decidedOn = "2026/09/15"
        do throws(GongkaiError) {
            _ = try CreditRecordMapper.record(for: badDate)
            Issue.record("a date not in YYYY-MM-DD must not map")
        } catch {
            #expect(error.field == "licence.decidedOn")
        }
    }

    @Test("dates and amounts in the national forms")
    func formats() {
        #expect(CreditRecordMapper.nationalDate("2026-03-05") == "2026/03/05")
        #expect(CreditRecordMapper.nationalDate("2026-02-30") == nil)
        #expect(CreditRecordMapper.amount(0.84) == "0.84")
        #expect(CreditRecordMapper.amount(12) == "12")
        #expect(CreditRecordMapper.amount(0.000001) == "0.000001")
        #expect(CreditRecordMapper.amount(1e7) == "10000000")
    }
}
