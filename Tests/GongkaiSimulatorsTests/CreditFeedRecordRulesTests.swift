import GongkaiCore
@testable import GongkaiSimulators
import Testing

/// The credit-feed simulator's per-record rules for the optional fields of
/// the national set (issue 11 §1). Before this change every one of these
/// fields was refused as UNKNOWN_FIELD, and the conditional rules did not exist.
@Suite("Credit feed record rules: optional 双公示 fields")
struct CreditFeedRecordRulesTests {
    static let today = CalendarDate(year: 2026, month: 11, day: 20)!

    /// A 吊销 penalty on an organisation named by its 工商注册号, with its legal representative's ID.
    static let revocation: [String: String] = [
        "CF_XDR_MC": "抚松县松江河镇兴林木材加工厂", "CF_XDR_LB": "法人及非法人组织", "CF_XDR_GSZC": "220621000031572",
        "CF_FRDB": "王振山", "CF_FR_ZJLX": "001", "CF_FR_ZJHM": "220621197506140316",
        "CF_WSH": "吉林草罚决字〔2026〕21号", "CF_WFXW": "收购、加工无合法来源证明的木材", "CF_SY": "经查……",
        "CF_YJ": "《中华人民共和国森林法》第七十八条", "CF_CFLB": "罚款;吊销许可证件", "CF_NR": "吊销木材经营加工许可证，并处罚款",
        "CF_NR_FK": "2.5", "CF_NR_ZKDX": "木材经营加工许可证（吉林草木加〔2024〕0375号）", "CF_JDRQ": "2026/11/02",
        "CF_YXQ": "2027/11/01", "CF_CFJG": "吉林省林业和草原局", "CF_CFJGDM": "112200000135442852",
        "CF_SJLY": "吉林省林业和草原局", "CF_SJLYDM": "112200000135442852",
    ]

    /// A licence to an organisation with its credit code, legal representative's ID and status.
    static let licence: [String: String] = [
        "XK_XDR_MC": "吉林省长白山林海木业有限公司", "XK_XDR_LB": "法人及非法人组织", "XK_XDR_SHXYM": "91220600MA14TLW8KP",
        "XK_FRDB": "张志远", "XK_FR_ZJLX": "002", "XK_FR_ZJHM": "E12345678", "XK_XKWS": "林木采伐许可决定书",
        "XK_WSH": "吉林草采许〔2026〕208号", "XK_XKLB": "普通", "XK_NR": "准予择伐", "XK_JDRQ": "2026/09/15",
        "XK_YXQZ": "2026/09/15", "XK_YXQZI": "2027/03/31", "XK_XKJG": "吉林省林业和草原局",
        "XK_XKJGDM": "112200000135442852", "XK_ZT": "1", "XK_LYDW": "吉林省林业和草原局", "XK_LYDWDM": "112200000135442852",
    ]

    /// The refusal of a record, or nil when it is accepted.
    static func refusal(_ type: String, _ fields: [String: String]) -> CreditFeedRecordRules.Refusal? {
        do throws(CreditFeedRecordRules.Refusal) {
            try CreditFeedRecordRules.check(type: type, fields: fields, today: today)
            return nil
        } catch {
            return error
        }
    }

    static func changed(_ fields: [String: String], _ change: (inout [String: String]) -> Void) -> [String: String] {
        var fields = fields
        change(&fields)
        return fields
    }

    @Test func acceptsTheOptionalFields() {
        #expect(Self.refusal("CF", Self.revocation) == nil)
        #expect(Self.refusal("XK", Self.licence) == nil)
        #expect(Self.refusal("XK", Self.changed(Self.licence) { $0["XK_ZT"] = "2" }) == nil)
    }

    @Test("a 暂扣 or 吊销 penalty without CF_NR_ZKDX is refused", arguments: ["罚款;吊销许可证件", "暂扣许可证件", "吊销营业执照"])
    func suspensionNeedsTheLicence(_ kinds: String) throws {
        let record = Self.changed(Self.revocation) {
            $0["CF_CFLB"] = kinds
            $0["CF_NR_ZKDX"] = nil
        }
        let refusal = try #require(Self.refusal("CF", record))
        #expect(refusal.code == "MISSING_FIELD")
        #expect(refusal.reason.hasPrefix("CF_NR_ZKDX is required when CF_CFLB includes 暂扣 or 吊销"))
        // A penalty that neither suspends nor revokes needs none.
        #expect(Self.refusal("CF", Self.changed(record) { $0["CF_CFLB"] = "罚款" }) == nil)
    }

    @Test("an organisation without a credit code needs a registration number", arguments: ["CF", "XK"])
    func organisationNeedsAnIdentifier(_ type: String) throws {
        let base = type == "CF" ? Self.revocation : Self.licence
        let bare = Self.changed(base) {
            $0[type + "_XDR_SHXYM"] = nil
            $0[type + "_XDR_GSZC"] = nil
        }
        let refusal = try #require(Self.refusal(type, bare))
        #expect(refusal.code == "MISSING_FIELD")
        #expect(refusal.reason.hasPrefix("\(type)_XDR_SHXYM is required for 法人及非法人组织 unless a registration number"))
        #expect(refusal.reason.contains("\(type)_XDR_SHZZ"))
        for suffix in ["XDR_GSZC", "XDR_ZZJG", "XDR_SWDJ", "XDR_SYDW", "XDR_SHZZ"] {
            #expect(Self.refusal(type, Self.changed(bare) { $0[type + "_" + suffix] = "2206210000315" }) == nil, "\(suffix)")
        }
        // 个体工商户 likewise.
        let business = Self.changed(bare) { $0[type + "_XDR_LB"] = "个体工商户" }
        #expect(Self.refusal(type, business)?.code == "MISSING_FIELD")
    }

    @Test func legalRepresentativeIDIsChecked() {
        let wrongDigit = Self.changed(Self.revocation) { $0["CF_FR_ZJHM"] = "220621197506140317" }
        #expect(Self.refusal("CF", wrongDigit)?.code == "INVALID_ID_NUMBER")
        #expect(Self.refusal("CF", wrongDigit)?.reason.hasPrefix("CF_FR_ZJHM: wrong check character") == true)
        let noType = Self.changed(Self.revocation) { $0["CF_FR_ZJLX"] = nil }
        #expect(Self.refusal("CF", noType) == .init(code: "MISSING_FIELD", reason: "CF_FR_ZJLX is required with CF_FR_ZJHM"))
        let noNumber = Self.changed(Self.licence) { $0["XK_FR_ZJHM"] = nil }
        #expect(Self.refusal("XK", noNumber) == .init(code: "MISSING_FIELD", reason: "XK_FR_ZJHM is required with XK_FR_ZJLX"))
        let badType = Self.changed(Self.licence) { $0["XK_FR_ZJLX"] = "身份证" }
        #expect(Self.refusal("XK", badType)?.code == "INVALID_FIELD")
        let nobody = Self.changed(Self.revocation) { $0["CF_FRDB"] = nil }
        #expect(Self.refusal("CF", nobody) == .init(code: "MISSING_FIELD", reason: "CF_FRDB is required with CF_FR_ZJHM"))
    }

    @Test func licenceStatusIsACode() {
        let named = Self.changed(Self.licence) { $0["XK_ZT"] = "有效" }
        #expect(Self.refusal("XK", named) == .init(code: "INVALID_FIELD", reason: "XK_ZT must be 1 (有效) or 2 (无效), got \"有效\""))
    }

    @Test("the published names only: CF_FRZJLX and XK_ZT on a penalty are still unknown")
    func misspeltFieldsStayUnknown() {
        let misspelt = Self.changed(Self.revocation) {
            $0["CF_FRZJLX"] = $0.removeValue(forKey: "CF_FR_ZJLX")
        }
        #expect(Self.refusal("CF", misspelt) == .init(code: "UNKNOWN_FIELD", reason: "CF_FRZJLX is not a CF field"))
        let status = Self.changed(Self.revocation) { $0["XK_ZT"] = "1" }
        #expect(Self.refusal("CF", status)?.code == "UNKNOWN_FIELD")
    }
}
