import Foundation
public import GongkaiCore

/// Maps a licence or penalty to its 双公示 record in the national field codes.
///
/// Pure: no I/O and no clock. It checks only what it needs to build the
/// record (the item is a licence or penalty with its details and subject,
/// dates are real days); check characters of credit codes and ID numbers are
/// the platform's to judge, so its reason reaches the operator unchanged.
///
/// The field codes are those of the national 双公示 data standard
/// (行政许可、行政处罚信息数据标准, 2019 版). Its text is not in our reference
/// corpus; the codes of the optional fields (issue 11) were checked against
/// records that a city credit platform answers with the full field set:
/// huweidongls/FuseApp `app/src/main/java/com/guoyu/fuseapp/bean/CreditList2Bean.java`
/// (CF_FRDB, CF_FR_ZJLX, CF_FR_ZJHM, CF_XDR_GSZC, CF_XDR_ZZJG, CF_XDR_SWDJ,
/// CF_XDR_SYDW, CF_XDR_SHZZ, CF_NR_ZKDX) and `CreditList1Bean.java` beside it
/// (the XK_ counterparts and XK_ZT, there "1"), and dragdream/cc
/// `src/com/beidasoft/zfjd/permission/bean/PermissionList.java` (XK_XDR_GSZC …
/// XK_XDR_SHZZ as 行政相对人代码_2 … _6, XK_ZT 当前状态). From them:
/// - The legal representative's name stays CF_FRDB / XK_FRDB; its ID type and
///   number are CF_FR_ZJLX / CF_FR_ZJHM and XK_FR_ZJLX / XK_FR_ZJHM (with an
///   underscore after FR, unlike CF_FRDB).
/// - The registration numbers 工商注册号 GSZC, 组织机构代码 ZZJG, 税务登记号 SWDJ,
///   事业单位证书号 SYDW and 社会组织登记证号 SHZZ carry the XDR_ infix; they
///   stand in for a missing 统一社会信用代码 and are sent whenever the item has them.
/// - CF_NR_ZKDX 暂扣或吊销证照名称及编号, which the standard requires when a
///   处罚类别 is 暂扣 or 吊销.
/// - XK_ZT 当前状态 is the code "1" 有效 or "2" 无效 (the standard's code list;
///   the sample records show "1"), sent only when the item gives
///   ``DisclosureItem/LicenceDetail/status``.
///
/// Chosen without a published source (the feed's interface is not public):
/// - 行政相对人类别 (CF_XDR_LB / XK_XDR_LB) is sent as the standard's value
///   names 法人及非法人组织, 自然人, 个体工商户.
/// - 证件类型 (CF_XDR_ZJLX / XK_XDR_ZJLX) uses the codes 001 身份证,
///   002 护照号, 003 港澳居民来往内地通行证, 004 台湾居民来往大陆通行证,
///   005 外国人永久居留身份证.
/// - Several 处罚类别 (CF_CFLB) are joined with ";".
/// - Amounts (CF_NR_FK, CF_NR_WFFF) are 万元 with at most six decimals.
/// - A penalty without 处罚有效期 gets CF_YXQ 2099/12/31 (long-term), the
///   standard's filler, because the field is required.
/// - Licences also carry XK_FRDB, XK_XDR_ZJLX and XK_XDR_ZJHM when known.
/// - 法定代表人证件类型 (CF_FR_ZJLX / XK_FR_ZJLX) uses the same codes as the
///   subject's 证件类型.
public enum CreditRecordMapper {
    /// 证件类型 names (as an item gives them) → national code.
    public static let idTypeCodes: [String: String] = [
        "身份证": "001", "居民身份证": "001", "中华人民共和国居民身份证": "001", "护照": "002", "护照号": "002",
        "港澳居民来往内地通行证": "003", "台湾居民来往大陆通行证": "004", "外国人永久居留身份证": "005",
    ]

    /// The record for `item`; throws naming the item field that stops it.
    public static func record(for item: DisclosureItem) throws(GongkaiError) -> CreditRecord {
        switch item.kind {
        case .penalty: return try penaltyRecord(item)
        case .licence: return try licenceRecord(item)
        default:
            throw problem(
                item, "kind", "a \(item.kind.rawValue) item is not a licence or penalty; only those go to the credit feed")
        }
    }

    /// `YYYY-MM-DD` → the national `YYYY/MM/DD`.
    public static func nationalDate(_ text: String) -> String? {
        guard let day = CalendarDate(text) else { return nil }
        return day.description.replacingOccurrences(of: "-", with: "/")
    }

    /// 万元 amount as plain decimal text: no exponent, no trailing zeros.
    public static func amount(_ value: Double) -> String {
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    private static func penaltyRecord(_ item: DisclosureItem) throws(GongkaiError) -> CreditRecord {
        guard let penalty = item.penalty else { throw problem(item, "penalty", "a penalty needs its penalty details") }
        var fields = try subjectFields(item, prefix: "CF_")
        fields["CF_WSH"] = penalty.decisionNumber
        fields["CF_WFXW"] = penalty.violationType
        fields["CF_SY"] = penalty.facts
        fields["CF_YJ"] = penalty.basis
        fields["CF_CFLB"] = penalty.penaltyTypes.joined(separator: ";")
        fields["CF_NR"] = penalty.content
        fields["CF_NR_FK"] = penalty.fineAmount.map(amount)
        fields["CF_NR_WFFF"] = penalty.confiscatedAmount.map(amount)
        fields["CF_NR_ZKDX"] = penalty.suspendedOrRevokedLicence
        fields["CF_JDRQ"] = try date(penalty.decidedOn, item, "penalty.decidedOn")
        fields["CF_YXQ"] = try penalty.validUntil.map { text throws(GongkaiError) in
            try date(text, item, "penalty.validUntil")
        } ?? CreditRecord.longTermDate
        if let publicUntil = penalty.publicUntil {
            fields["CF_GSJZQ"] = try date(publicUntil, item, "penalty.publicUntil")
        }
        fields["CF_CFJG"] = penalty.authority.name
        fields["CF_CFJGDM"] = penalty.authority.code
        fields["CF_SJLY"] = penalty.dataSource.name
        fields["CF_SJLYDM"] = penalty.dataSource.code
        fields[CreditRecord.remarksField] = penalty.remarks
        return CreditRecord(type: .penalty, fields: fields.compactMapValues { $0?.isEmpty == false ? $0 : nil })
    }

    private static func licenceRecord(_ item: DisclosureItem) throws(GongkaiError) -> CreditRecord {
        guard let licence = item.licence else { throw problem(item, "licence", "a licence needs its licence details") }
        var fields = try subjectFields(item, prefix: "XK_")
        fields["XK_XKWS"] = licence.documentName
        fields["XK_WSH"] = licence.decisionNumber
        fields["XK_XKLB"] = licence.licenceType
        fields["XK_XKZS"] = licence.certificateName
        fields["XK_XKBH"] = licence.certificateNumber
        fields["XK_NR"] = licence.content
        fields["XK_JDRQ"] = try date(licence.decidedOn, item, "licence.decidedOn")
        fields["XK_YXQZ"] = try date(licence.validFrom, item, "licence.validFrom")
        // 2099-12-31 in the item becomes 2099/12/31, the standard's "long-term".
        fields["XK_YXQZI"] = try date(licence.validUntil, item, "licence.validUntil")
        fields["XK_XKJG"] = licence.authority.name
        fields["XK_XKJGDM"] = licence.authority.code
        fields["XK_ZT"] = licence.status.map(statusCode)
        fields["XK_LYDW"] = licence.dataSource.name
        fields["XK_LYDWDM"] = licence.dataSource.code
        fields[CreditRecord.remarksField] = licence.remarks
        return CreditRecord(type: .licence, fields: fields.compactMapValues { $0?.isEmpty == false ? $0 : nil })
    }

    /// XK_ZT 当前状态: 1 有效, 2 无效.
    public static func statusCode(_ status: DisclosureItem.LicenceStatus) -> String {
        switch status {
        case .valid: "1"
        case .invalid: "2"
        }
    }

    /// The national suffix of each registration number, keyed as ``DisclosureItem/Subject/registrationNumbers``.
    static let registrationFields: [String: String] = [
        "businessRegistrationNumber": "XDR_GSZC", "organisationCode": "XDR_ZZJG", "taxRegistrationNumber": "XDR_SWDJ",
        "publicInstitutionCertificateNumber": "XDR_SYDW", "socialOrganisationCertificateNumber": "XDR_SHZZ",
    ]

    /// 行政相对人 fields: name, category, credit code or registration numbers,
    /// ID type and number, legal representative with its ID type and number.
    private static func subjectFields(_ item: DisclosureItem, prefix: String) throws(GongkaiError) -> [String: String?] {
        guard let subject = item.subject else {
            throw problem(item, "subject", "a \(item.kind.rawValue) needs its 行政相对人 (subject)")
        }
        var fields: [String: String?] = [:]
        fields[prefix + "XDR_MC"] = subject.name
        fields[prefix + "XDR_LB"] = subject.type.rawValue
        fields[prefix + "XDR_SHXYM"] = subject.creditCode
        for (key, value) in subject.registrationNumbers {
            if let suffix = registrationFields[key] { fields[prefix + suffix] = value }
        }
        if let number = subject.idNumber, !number.isEmpty {
            fields[prefix + "XDR_ZJLX"] = try idTypeCode(
                subject.idType, number, item, fields: ("subject.idType", "subject.idNumber"))
            fields[prefix + "XDR_ZJHM"] = number
        }
        fields[prefix + "FRDB"] = subject.legalRepresentative
        if let number = subject.legalRepresentativeIDNumber, !number.isEmpty {
            fields[prefix + "FR_ZJLX"] = try idTypeCode(
                subject.legalRepresentativeIDType, number, item,
                fields: ("subject.legalRepresentativeIDType", "subject.legalRepresentativeIDNumber"))
            fields[prefix + "FR_ZJHM"] = number
        }
        return fields
    }

    /// The national 证件类型 code of a number's type (身份证 when absent); refuses
    /// a masked number. `fields` are the item paths of the type and the number.
    private static func idTypeCode(
        _ type: String?, _ number: String, _ item: DisclosureItem, fields: (type: String, number: String)
    ) throws(GongkaiError) -> String {
        let (typeField, numberField) = fields
        // A masked number means the channel got the public document: the feed needs the full one.
        if number.contains("*") {
            throw problem(
                item, numberField,
                "the ID number is masked; the credit feed needs the full number, so the channel must have `audience: government`")
        }
        let typeName = type ?? "身份证"
        guard let code = idTypeCodes[typeName] else {
            throw problem(
                item, typeField,
                "证件类型 \"\(typeName)\" has no national code; use one of " + idTypeCodes.keys.sorted().joined(separator: ", "))
        }
        return code
    }

    private static func date(_ text: String, _ item: DisclosureItem, _ field: String) throws(GongkaiError) -> String {
        guard let date = nationalDate(text) else {
            throw problem(item, field, "\"\(text)\" is not a date in the form YYYY-MM-DD")
        }
        return date
    }

    private static func problem(_ item: DisclosureItem, _ field: String, _ message: String) -> GongkaiError {
        GongkaiError(.invalidField, "\(field): \(message)", item: item.id, field: field)
    }
}
