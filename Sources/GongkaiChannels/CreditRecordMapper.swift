import Foundation
public import GongkaiCore

/// Maps a licence or penalty to its 双公示 record in the national field codes.
///
/// Pure: no I/O and no clock. It checks only what it needs to build the
/// record (the item is a licence or penalty with its details and subject,
/// dates are real days); check characters of credit codes and ID numbers are
/// the platform's to judge, so its reason reaches the operator unchanged.
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
public enum CreditRecordMapper {
    /// 证件类型 names (as an item gives them) → national code.
    public static let idTypeCodes: [String: String] = [
        "身份证": "001", "居民身份证": "001", "护照": "002", "护照号": "002",
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
        var fields = try subjectFields(item, prefix: "CF_", legalRepresentativeField: "CF_FRDB")
        fields["CF_WSH"] = penalty.decisionNumber
        fields["CF_WFXW"] = penalty.violationType
        fields["CF_SY"] = penalty.facts
        fields["CF_YJ"] = penalty.basis
        fields["CF_CFLB"] = penalty.penaltyTypes.joined(separator: ";")
        fields["CF_NR"] = penalty.content
        fields["CF_NR_FK"] = penalty.fineAmount.map(amount)
        fields["CF_NR_WFFF"] = penalty.confiscatedAmount.map(amount)
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
        var fields = try subjectFields(item, prefix: "XK_", legalRepresentativeField: "XK_FRDB")
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
        fields["XK_LYDW"] = licence.dataSource.name
        fields["XK_LYDWDM"] = licence.dataSource.code
        fields[CreditRecord.remarksField] = licence.remarks
        return CreditRecord(type: .licence, fields: fields.compactMapValues { $0?.isEmpty == false ? $0 : nil })
    }

    /// 行政相对人 fields: name, category, credit code, ID type and number, legal representative.
    private static func subjectFields(_ item: DisclosureItem, prefix: String, legalRepresentativeField: String)
        throws(GongkaiError) -> [String: String?]
    {
        guard let subject = item.subject else {
            throw problem(item, "subject", "a \(item.kind.rawValue) needs its 行政相对人 (subject)")
        }
        var fields: [String: String?] = [:]
        fields[prefix + "XDR_MC"] = subject.name
        fields[prefix + "XDR_LB"] = subject.type.rawValue
        fields[prefix + "XDR_SHXYM"] = subject.creditCode
        if let number = subject.idNumber, !number.isEmpty {
            // A masked number means the channel got the public document: the feed needs the full one.
            if number.contains("*") {
                throw problem(
                    item, "subject.idNumber",
                    "the ID number is masked; the credit feed needs the full number, so the channel must have `audience: government`")
            }
            let typeName = subject.idType ?? "身份证"
            guard let code = idTypeCodes[typeName] else {
                throw problem(
                    item, "subject.idType",
                    "证件类型 \"\(typeName)\" has no national code; use one of "
                        + idTypeCodes.keys.sorted().joined(separator: ", "))
            }
            fields[prefix + "XDR_ZJLX"] = code
            fields[prefix + "XDR_ZJHM"] = number
        }
        fields[legalRepresentativeField] = subject.legalRepresentative
        return fields
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
