import GongkaiCore

/// The credit-sharing platform's field checks, as the simulator applies them
/// to each `add`/`update` record: required fields, known field codes, dates
/// in YYYY/MM/DD, category and licence-type values, credit codes and ID
/// numbers with their check characters, and the standard's conditional
/// rules: a 暂扣/吊销 penalty names the licence (CF_NR_ZKDX), an organisation
/// without a 统一社会信用代码 gives a registration number instead. The field
/// codes follow the national data standard (see `CreditRecordMapper` for the
/// sources); the codes answered are the simulator's own choice (the real
/// interface is not published).
enum CreditFeedRecordRules {
    /// A refusal: the platform's code and reason.
    struct Refusal: Error, Sendable, Equatable {
        var code: String
        var reason: String
    }

    static let penaltyRequired = [
        "CF_XDR_MC", "CF_XDR_LB", "CF_WSH", "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_JDRQ", "CF_YXQ",
        "CF_CFJG", "CF_CFJGDM", "CF_SJLY", "CF_SJLYDM",
    ]
    static let penaltyOptional = [
        "CF_XDR_SHXYM", "CF_XDR_GSZC", "CF_XDR_ZZJG", "CF_XDR_SWDJ", "CF_XDR_SYDW", "CF_XDR_SHZZ", "CF_XDR_ZJLX",
        "CF_XDR_ZJHM", "CF_FRDB", "CF_FR_ZJLX", "CF_FR_ZJHM", "CF_NR_FK", "CF_NR_WFFF", "CF_NR_ZKDX", "CF_GSJZQ", "BZ",
    ]
    static let licenceRequired = [
        "XK_XDR_MC", "XK_XDR_LB", "XK_XKWS", "XK_WSH", "XK_XKLB", "XK_NR", "XK_JDRQ", "XK_YXQZ", "XK_YXQZI", "XK_XKJG",
        "XK_XKJGDM", "XK_LYDW", "XK_LYDWDM",
    ]
    static let licenceOptional = [
        "XK_XDR_SHXYM", "XK_XDR_GSZC", "XK_XDR_ZZJG", "XK_XDR_SWDJ", "XK_XDR_SYDW", "XK_XDR_SHZZ", "XK_XDR_ZJLX",
        "XK_XDR_ZJHM", "XK_FRDB", "XK_FR_ZJLX", "XK_FR_ZJHM", "XK_XKZS", "XK_XKBH", "XK_ZT", "BZ",
    ]
    /// The registration numbers that stand in for a missing XDR_SHXYM, without the CF_/XK_ prefix.
    static let registrationSuffixes = ["XDR_GSZC", "XDR_ZZJG", "XDR_SWDJ", "XDR_SYDW", "XDR_SHZZ"]
    /// XK_ZT 当前状态: 1 有效, 2 无效.
    static let licenceStates: Set<String> = ["1", "2"]
    static let subjectCategories: Set<String> = ["法人及非法人组织", "自然人", "个体工商户"]
    static let idTypeCodes: Set<String> = ["001", "002", "003", "004", "005"]
    static let licenceTypes: Set<String> = ["普通", "特许", "认可", "核准", "登记", "其他"]

    /// Checks an `add` or `update` record's fields; `today` bounds birth dates.
    static func check(type: String, fields: [String: String], today: CalendarDate) throws(Refusal) {
        let prefix = type + "_"
        let required: [String]
        let optional: [String]
        switch type {
        case "CF": (required, optional) = (penaltyRequired, penaltyOptional)
        case "XK": (required, optional) = (licenceRequired, licenceOptional)
        default: throw Refusal(code: "INVALID_TYPE", reason: "type must be CF or XK, got \"\(type)\"")
        }
        let known = Set(required + optional)
        for name in fields.keys.sorted() where !known.contains(name) {
            throw Refusal(code: "UNKNOWN_FIELD", reason: "\(name) is not a \(type) field")
        }
        for name in required where (fields[name] ?? "").isEmpty {
            throw Refusal(code: "MISSING_FIELD", reason: "\(name) is required")
        }
        let category = fields[prefix + "XDR_LB"] ?? ""
        guard subjectCategories.contains(category) else {
            throw Refusal(
                code: "INVALID_FIELD",
                reason: "\(prefix)XDR_LB must be one of 法人及非法人组织, 自然人, 个体工商户, got \"\(category)\"")
        }
        if category == "自然人" {
            try checkPerson(fields, prefix: prefix, today: today)
        } else {
            if let code = fields[prefix + "XDR_SHXYM"], !code.isEmpty {
                try checkCreditCode(code, field: prefix + "XDR_SHXYM")
            } else if !registrationSuffixes.contains(where: { !(fields[prefix + $0] ?? "").isEmpty }) {
                let alternatives = registrationSuffixes.map { prefix + $0 }.joined(separator: ", ")
                throw Refusal(
                    code: "MISSING_FIELD",
                    reason: "\(prefix)XDR_SHXYM is required for \(category) unless a registration number (\(alternatives)) is given")
            }
            if fields[prefix + "XDR_ZJHM"] != nil { try checkPerson(fields, prefix: prefix, today: today) }
        }
        try checkLegalRepresentative(fields, prefix: prefix, today: today)
        let dates = type == "CF" ? ["CF_JDRQ", "CF_YXQ", "CF_GSJZQ"] : ["XK_JDRQ", "XK_YXQZ", "XK_YXQZI"]
        for name in dates {
            guard let text = fields[name] else { continue }
            guard isNationalDate(text) else {
                throw Refusal(code: "INVALID_DATE", reason: "\(name) must be a date YYYY/MM/DD, got \"\(text)\"")
            }
        }
        if type == "CF" {
            try checkCreditCode(fields["CF_CFJGDM"] ?? "", field: "CF_CFJGDM")
            try checkCreditCode(fields["CF_SJLYDM"] ?? "", field: "CF_SJLYDM")
            let kinds = (fields["CF_CFLB"] ?? "").split(separator: ";").map(String.init)
            if kinds.contains("罚款"), (fields["CF_NR_FK"] ?? "").isEmpty {
                throw Refusal(code: "MISSING_FIELD", reason: "CF_NR_FK is required when CF_CFLB includes 罚款")
            }
            if let kind = kinds.first(where: { $0.contains("暂扣") || $0.contains("吊销") }),
                (fields["CF_NR_ZKDX"] ?? "").isEmpty
            {
                throw Refusal(
                    code: "MISSING_FIELD", reason: "CF_NR_ZKDX is required when CF_CFLB includes 暂扣 or 吊销 (here \(kind))")
            }
            for name in ["CF_NR_FK", "CF_NR_WFFF"] {
                if let text = fields[name], Double(text) == nil || text.contains("e") || text.contains("E") {
                    throw Refusal(code: "INVALID_FIELD", reason: "\(name) must be a decimal amount in 万元, got \"\(text)\"")
                }
            }
        } else {
            try checkCreditCode(fields["XK_XKJGDM"] ?? "", field: "XK_XKJGDM")
            try checkCreditCode(fields["XK_LYDWDM"] ?? "", field: "XK_LYDWDM")
            let licenceType = fields["XK_XKLB"] ?? ""
            guard licenceTypes.contains(licenceType) else {
                throw Refusal(
                    code: "INVALID_FIELD", reason: "XK_XKLB must be one of 普通, 特许, 认可, 核准, 登记, 其他, got \"\(licenceType)\"")
            }
            if let state = fields["XK_ZT"], !licenceStates.contains(state) {
                throw Refusal(code: "INVALID_FIELD", reason: "XK_ZT must be 1 (有效) or 2 (无效), got \"\(state)\"")
            }
            if let from = fields["XK_YXQZ"], let until = fields["XK_YXQZI"], until < from {
                throw Refusal(code: "INVALID_DATE", reason: "XK_YXQZI (\(until)) is before XK_YXQZ (\(from))")
            }
        }
    }

    private static func checkPerson(_ fields: [String: String], prefix: String, today: CalendarDate) throws(Refusal) {
        guard let idType = fields[prefix + "XDR_ZJLX"], !idType.isEmpty else {
            throw Refusal(code: "MISSING_FIELD", reason: "\(prefix)XDR_ZJLX is required for a natural person")
        }
        guard idTypeCodes.contains(idType) else {
            throw Refusal(code: "INVALID_FIELD", reason: "\(prefix)XDR_ZJLX must be 001-005, got \"\(idType)\"")
        }
        guard let number = fields[prefix + "XDR_ZJHM"], !number.isEmpty else {
            throw Refusal(code: "MISSING_FIELD", reason: "\(prefix)XDR_ZJHM is required for a natural person")
        }
        if idType == "001", let problem = ResidentIDNumber.problem(with: number, today: today) {
            throw Refusal(code: "INVALID_ID_NUMBER", reason: "\(prefix)XDR_ZJHM: \(problem)")
        }
    }

    /// 法定代表人证件类型 and 证件号码 come together, with the subject's 证件类型 codes.
    private static func checkLegalRepresentative(_ fields: [String: String], prefix: String, today: CalendarDate)
        throws(Refusal)
    {
        let idType = fields[prefix + "FR_ZJLX"] ?? ""
        let number = fields[prefix + "FR_ZJHM"] ?? ""
        guard !idType.isEmpty || !number.isEmpty else { return }
        guard !idType.isEmpty else {
            throw Refusal(code: "MISSING_FIELD", reason: "\(prefix)FR_ZJLX is required with \(prefix)FR_ZJHM")
        }
        guard idTypeCodes.contains(idType) else {
            throw Refusal(code: "INVALID_FIELD", reason: "\(prefix)FR_ZJLX must be 001-005, got \"\(idType)\"")
        }
        guard !number.isEmpty else {
            throw Refusal(code: "MISSING_FIELD", reason: "\(prefix)FR_ZJHM is required with \(prefix)FR_ZJLX")
        }
        if (fields[prefix + "FRDB"] ?? "").isEmpty {
            throw Refusal(code: "MISSING_FIELD", reason: "\(prefix)FRDB is required with \(prefix)FR_ZJHM")
        }
        if idType == "001", let problem = ResidentIDNumber.problem(with: number, today: today) {
            throw Refusal(code: "INVALID_ID_NUMBER", reason: "\(prefix)FR_ZJHM: \(problem)")
        }
    }

    private static func checkCreditCode(_ code: String, field: String) throws(Refusal) {
        if let problem = CreditCode.problem(with: code) {
            throw Refusal(code: "INVALID_CREDIT_CODE", reason: "\(field) \(code): \(problem)")
        }
    }

    /// `YYYY/MM/DD` naming a real day.
    static func isNationalDate(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        return CalendarDate(year: year, month: month, day: day) != nil
    }
}
