public import Foundation

/// The content rules a disclosure item must meet before it enters the outbox.
///
/// Decoding (``ItemDecoding``) only checks the JSON shape; this checks what
/// the platforms and the law require, and reports every problem at once (as
/// JSON paths such as `subject.creditCode` or `attachments[1].sha256`) so an
/// operator can fix an item in one round trip instead of one error at a time.
/// `today` is a parameter rather than the clock so results are reproducible.
public enum ItemValidator {
    /// The 许可类别 values of the 双公示 licence standard (XK_XKLB).
    public static let licenceTypes: [String] = ["普通", "特许", "认可", "核准", "登记", "其他"]

    /// `idType` values under which ``DisclosureItem/Subject/idNumber`` is a
    /// GB 11643 number; other documents (passports, permits) have no check digit.
    public static let residentIDTypes: Set<String> = ["身份证", "居民身份证", "中华人民共和国居民身份证"]

    /// Whether `id` is a well-formed item id: `^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`.
    ///
    /// Ids end up in URLs, file names and platform external ids, so they are
    /// kept to characters every one of those accepts unescaped.
    public static func isWellFormedID(_ id: String) -> Bool {
        var id = id
        return id.withUTF8 { bytes in
            guard (1...128).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
            for byte in bytes.dropFirst() {
                guard isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                    || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
                else { return false }
            }
            return true
        }
    }

    /// Every rule `item` breaks, in field order; empty when the item is valid.
    ///
    /// `deadlines` gives the shortest comment period of a major decision's consultation.
    public static func issues(
        in item: DisclosureItem, limits: ItemLimits = .standard, deadlines: DeadlinePolicy = .standard,
        today: CalendarDate
    ) -> [GongkaiError.FieldIssue] {
        var check = Check(today: today, deadlines: deadlines)
        check.item(item, limits: limits)
        return check.issues
    }

    /// Throws when `item` breaks a rule.
    ///
    /// The error's `field` names the first problem and `issues` lists all of
    /// them. The code is `.oversized` when the body is over the limit (the one
    /// problem a caller cannot fix by correcting a field value), otherwise
    /// `.missingField` when the first problem is an absent or blank required
    /// field, and `.invalidField` for everything else.
    public static func validate(
        _ item: DisclosureItem, limits: ItemLimits = .standard, deadlines: DeadlinePolicy = .standard,
        today: CalendarDate
    ) throws(GongkaiError) {
        var check = Check(today: today, deadlines: deadlines)
        check.item(item, limits: limits)
        guard let first = check.issues.first else { return }
        let count = check.issues.count
        let lead: GongkaiError.FieldIssue
        let code: GongkaiError.Code
        if let oversized = check.oversized {
            lead = check.issues[oversized]
            code = .oversized
        } else {
            lead = first
            code = check.missing.contains(0) ? .missingField : .invalidField
        }
        let message = count == 1 ? lead.message : "\(count) problems in the item; first: \(lead.field) \(lead.message)"
        throw GongkaiError(code, message, item: item.id, field: lead.field, issues: check.issues)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }

    /// Accumulates issues and remembers which are "missing" and which "oversized".
    private struct Check {
        let today: CalendarDate
        let deadlines: DeadlinePolicy
        var issues: [GongkaiError.FieldIssue] = []
        var missing: Set<Int> = []
        var oversized: Int?

        init(today: CalendarDate, deadlines: DeadlinePolicy) {
            self.today = today
            self.deadlines = deadlines
        }

        mutating func invalid(_ field: String, _ message: String) {
            issues.append(GongkaiError.FieldIssue(field: field, message: message))
        }

        mutating func absent(_ field: String, _ message: String = "is required") {
            missing.insert(issues.count)
            invalid(field, message)
        }

        /// Records a blank required string; returns whether it had content.
        @discardableResult
        mutating func required(_ value: String, _ field: String) -> Bool {
            if isBlank(value) {
                absent(field, value.isEmpty ? "must not be empty" : "must not be blank")
                return false
            }
            return true
        }

        /// Parses a required date, recording why it is not one.
        mutating func date(_ text: String, _ field: String) -> CalendarDate? {
            if text.isEmpty {
                absent(field, "must not be empty; expected YYYY-MM-DD")
                return nil
            }
            guard let date = CalendarDate(text) else {
                invalid(field, "'\(text)' is not a real date in YYYY-MM-DD form")
                return nil
            }
            return date
        }

        mutating func notAfterToday(_ date: CalendarDate?, _ field: String) {
            if let date, date > today { invalid(field, "\(date) is after today (\(today))") }
        }

        mutating func item(_ item: DisclosureItem, limits: ItemLimits) {
            if item.id.isEmpty {
                absent("id", "must not be empty")
            } else if !ItemValidator.isWellFormedID(item.id) {
                invalid(
                    "id",
                    "'\(item.id)' must start with a letter or digit and use only letters, digits, '.', '_', ':' "
                        + "and '-' (at most 128 characters)")
            }

            if required(item.title, "title") {
                let count = item.title.count
                if count > limits.maxTitleCharacters {
                    invalid("title", "is \(count) characters; the limit is \(limits.maxTitleCharacters)")
                }
                // U+2028 and U+2029 break a line as surely as U+0085 (a control character) does.
                let breaking: Set<Unicode.GeneralCategory> = [.control, .lineSeparator, .paragraphSeparator]
                if let control = item.title.unicodeScalars.first(where: { breaking.contains($0.properties.generalCategory) }) {
                    let what = control.properties.generalCategory == .control ? "the control character" : "the line break"
                    invalid("title", "contains \(what) \(Self.codePoint(control)); a title is one line of text")
                }
            }
            if let summary = item.summary {
                let count = summary.count
                if count > limits.maxSummaryCharacters {
                    invalid("summary", "is \(count) characters; the limit is \(limits.maxSummaryCharacters)")
                }
            }
            let bodyBytes = item.body.utf8.count
            if bodyBytes > limits.maxBodyBytes {
                oversized = issues.count
                invalid("body", "is \(bodyBytes) bytes; the limit is \(limits.maxBodyBytes)")
            } else {
                required(item.body, "body")
            }

            if let attachments = item.attachments {
                if attachments.count > limits.maxAttachments {
                    invalid("attachments", "has \(attachments.count) entries; the limit is \(limits.maxAttachments)")
                }
                for (index, attachment) in attachments.enumerated() {
                    self.attachment(attachment, "attachments[\(index)]")
                }
            }

            required(item.publisher.name, "publisher.name")
            if let code = item.publisher.code, let problem = CreditCode.problem(with: code) {
                invalid("publisher.code", problem)
            }

            if item.indexNumber.isEmpty {
                absent("indexNumber", "must not be empty; expected \(limits.indexNumberFormats.expected(for: item.publisher))")
            } else if let problem = limits.indexNumberFormats.problem(with: item.indexNumber, publisher: item.publisher) {
                invalid("indexNumber", problem)
            }
            if let number = item.documentNumber {
                if let problem = DocumentNumber.problem(with: number) { invalid("documentNumber", problem) }
            } else if item.kind == .normative {
                absent("documentNumber", "is required for a normative document (行政规范性文件)")
            }
            required(item.topic, "topic")

            let written = date(item.writtenOn, "writtenOn")
            let published = date(item.publishOn, "publishOn")
            if let written, let published, published < written {
                invalid("publishOn", "\(published) is before writtenOn \(written)")
            }
            if let formedOn = item.formedOn { _ = date(formedOn, "formedOn") }

            if item.attribute == .withheld, isBlank(item.withheldReason ?? "") {
                absent("withheldReason", "is required when attribute is withheld (不予公开)")
            }

            if let related = item.relatedTo {
                for (index, id) in related.enumerated() {
                    if !ItemValidator.isWellFormedID(id) {
                        invalid("relatedTo[\(index)]", "'\(id)' is not a well-formed item id")
                    } else if id == item.id {
                        invalid("relatedTo[\(index)]", "an item cannot be related to itself")
                    }
                }
            }
            if item.kind == .interpretation, item.relatedTo?.isEmpty ?? true {
                absent("relatedTo", "an interpretation must name the id of the policy document it explains")
            }
            if item.kind == .feedback, item.relatedTo?.isEmpty ?? true {
                absent("relatedTo", "a feedback (意见采纳情况) must name the id of the consultation it reports on")
            }

            kindDetails(item)
            consultation(item, published: published)
            response(item, published: published)
            if let subject = item.subject { self.subject(subject) }
            if let penalty = item.penalty { self.penalty(penalty) }
            if let licence = item.licence { self.licence(licence) }
        }

        mutating func kindDetails(_ item: DisclosureItem) {
            switch item.kind {
            case .penalty:
                if item.subject == nil { absent("subject", "is required for a penalty (行政相对人)") }
                if item.penalty == nil { absent("penalty", "is required for a penalty item") }
                if item.licence != nil { invalid("licence", "only licence items carry licence details") }
            case .licence:
                if item.subject == nil { absent("subject", "is required for a licence (行政相对人)") }
                if item.licence == nil { absent("licence", "is required for a licence item") }
                if item.penalty != nil { invalid("penalty", "only penalty items carry penalty details") }
            default:
                if item.penalty != nil {
                    invalid("penalty", "only penalty items carry penalty details (kind is \(item.kind.rawValue))")
                }
                if item.licence != nil {
                    invalid("licence", "only licence items carry licence details (kind is \(item.kind.rawValue))")
                }
            }
        }

        /// Whether `item` is of `kind`; if not, refuses each of `fields` (the keys
        /// only that kind carries) that it gives.
        mutating func only(_ kind: DisclosureItem.Kind, _ item: DisclosureItem, _ fields: [(key: String, present: Bool)]) -> Bool {
            guard item.kind == kind else {
                for field in fields where field.present {
                    invalid(field.key, "only \(kind.rawValue) items carry \(field.key) (kind is \(item.kind.rawValue))")
                }
                return false
            }
            return true
        }

        /// `commentsUntil` and `majorDecision`: a consultation's comment period, and only a consultation's.
        mutating func consultation(_ item: DisclosureItem, published: CalendarDate?) {
            guard
                only(.consultation, item, [("commentsUntil", item.commentsUntil != nil), ("majorDecision", item.majorDecision != nil)])
            else { return }
            guard let text = item.commentsUntil else {
                absent("commentsUntil", "is required for a consultation (征求意见截止日期, YYYY-MM-DD)")
                return
            }
            guard let until = date(text, "commentsUntil"), let published else { return }
            guard until > published else {
                invalid("commentsUntil", "\(until) is not after publishOn \(published): the comment period would be empty")
                return
            }
            let days = published.days(to: until)
            let minimum = deadlines.majorConsultationDays
            if item.majorDecision == true, days < minimum {
                invalid(
                    "commentsUntil",
                    "gives a comment period of \(days) days after publishOn \(published); a major administrative decision "
                        + "(majorDecision) takes comments for at least \(minimum) days, until \(published.adding(days: minimum)) or later")
            }
        }

        /// `raisedOn` and `urgent`: when a public concern was raised, for a response and only a response.
        mutating func response(_ item: DisclosureItem, published: CalendarDate?) {
            guard only(.response, item, [("raisedOn", item.raisedOn != nil), ("urgent", item.urgent != nil)]) else { return }
            guard let text = item.raisedOn else {
                absent("raisedOn", "is required for a response (回应关切): the day the concern was raised, YYYY-MM-DD")
                return
            }
            let raised = date(text, "raisedOn")
            notAfterToday(raised, "raisedOn")
            if let raised, let published, published < raised {
                invalid("raisedOn", "\(raised) is after publishOn \(published): a response cannot come before the concern")
            }
        }

        mutating func attachment(_ attachment: DisclosureItem.Attachment, _ path: String) {
            required(attachment.name, "\(path).name")
            if attachment.url.isEmpty {
                absent("\(path).url", "must not be empty")
            } else if !Self.isAbsoluteHTTPURL(attachment.url) {
                invalid(
                    "\(path).url",
                    "'\(attachment.url)' must be an absolute http(s) URL without spaces (percent-encode them)"
                )
            }
            let hash = attachment.sha256
            if hash.isEmpty {
                absent("\(path).sha256", "must not be empty")
            } else if !Self.isLowerHexSHA256(hash) {
                if hash.utf8.count == 64, hash.utf8.allSatisfy({ Self.isHex($0) }) {
                    invalid("\(path).sha256", "must be lower-case hex")
                } else {
                    invalid("\(path).sha256", "must be 64 lower-case hex characters (a SHA-256 digest)")
                }
            }
        }

        mutating func subject(_ subject: DisclosureItem.Subject) {
            required(subject.name, "subject.name")
            let registrations = subject.registrationNumbers
            for (key, value) in registrations {
                if let value { required(value, "subject.\(key)") }
            }
            switch subject.type {
            case .organisation, .individualBusiness:
                if let code = subject.creditCode {
                    if let problem = CreditCode.problem(with: code) { invalid("subject.creditCode", problem) }
                } else if !registrations.contains(where: { $0.value != nil }) {
                    // The national set lets an older registration number stand in for a missing 统一社会信用代码.
                    absent(
                        "subject.creditCode",
                        "is required for a subject of type \(subject.type.rawValue) unless one of "
                            + registrations.map(\.key).joined(separator: ", ") + " stands in for it")
                }
            case .naturalPerson:
                if subject.creditCode != nil {
                    invalid("subject.creditCode", "a natural person (自然人) has no credit code; give the ID number in idNumber")
                }
                if subject.idNumber == nil {
                    absent("subject.idNumber", "is required for a natural person (自然人)")
                }
                for (key, value) in registrations where value != nil {
                    invalid("subject.\(key)", "a natural person (自然人) has no registration number; give the ID number in idNumber")
                }
            }
            if let number = subject.idNumber {
                idNumber(number, type: subject.idType, "subject.idNumber")
            }
            if let number = subject.legalRepresentativeIDNumber {
                if isBlank(subject.legalRepresentative ?? "") {
                    absent("subject.legalRepresentative", "is required with legalRepresentativeIDNumber (the number is the 法定代表人's)")
                }
                idNumber(number, type: subject.legalRepresentativeIDType, "subject.legalRepresentativeIDNumber")
            } else if subject.legalRepresentativeIDType != nil {
                absent("subject.legalRepresentativeIDNumber", "is required with legalRepresentativeIDType")
            }
        }

        /// A GB 11643 number under a resident-ID type (or none), otherwise any non-blank document number.
        mutating func idNumber(_ number: String, type: String?, _ field: String) {
            if type.map(ItemValidator.residentIDTypes.contains) ?? true {
                if let problem = ResidentIDNumber.problem(with: number, today: today) { invalid(field, problem) }
            } else {
                required(number, field)
            }
        }

        mutating func organisation(_ organisation: DisclosureItem.Organisation, _ path: String) {
            required(organisation.name, "\(path).name")
            if let problem = CreditCode.problem(with: organisation.code) {
                if organisation.code.isEmpty {
                    absent("\(path).code", "must not be empty; expected a 统一社会信用代码")
                } else {
                    invalid("\(path).code", problem)
                }
            }
        }

        mutating func amount(_ value: Double?, _ field: String) {
            if let value, !(value.isFinite && value >= 0) {
                invalid(field, "must be zero or more (万元), got \(value)")
            }
        }

        mutating func penalty(_ penalty: DisclosureItem.PenaltyDetail) {
            required(penalty.decisionNumber, "penalty.decisionNumber")
            required(penalty.violationType, "penalty.violationType")
            required(penalty.facts, "penalty.facts")
            required(penalty.basis, "penalty.basis")
            if penalty.penaltyTypes.isEmpty {
                absent("penalty.penaltyTypes", "must name at least one 处罚类别 (警告, 罚款 …)")
            }
            for (index, type) in penalty.penaltyTypes.enumerated() {
                required(type, "penalty.penaltyTypes[\(index)]")
            }
            required(penalty.content, "penalty.content")
            amount(penalty.fineAmount, "penalty.fineAmount")
            amount(penalty.confiscatedAmount, "penalty.confiscatedAmount")
            if let licence = penalty.suspendedOrRevokedLicence {
                required(licence, "penalty.suspendedOrRevokedLicence")
            } else if penalty.suspendsOrRevokesLicence {
                absent(
                    "penalty.suspendedOrRevokedLicence",
                    "is required when penaltyTypes includes 暂扣 or 吊销: name the licence and its number (暂扣或吊销证照名称及编号)")
            }
            let decided = date(penalty.decidedOn, "penalty.decidedOn")
            notAfterToday(decided, "penalty.decidedOn")
            for (text, field) in [(penalty.validUntil, "penalty.validUntil"), (penalty.publicUntil, "penalty.publicUntil")] {
                guard let text, let until = date(text, field) else { continue }
                if let decided, until < decided { invalid(field, "\(until) is before decidedOn \(decided)") }
            }
            organisation(penalty.authority, "penalty.authority")
            organisation(penalty.dataSource, "penalty.dataSource")
        }

        mutating func licence(_ licence: DisclosureItem.LicenceDetail) {
            required(licence.documentName, "licence.documentName")
            required(licence.decisionNumber, "licence.decisionNumber")
            if required(licence.licenceType, "licence.licenceType"),
                !ItemValidator.licenceTypes.contains(licence.licenceType)
            {
                invalid(
                    "licence.licenceType",
                    "'\(licence.licenceType)' must be one of \(ItemValidator.licenceTypes.joined(separator: ", "))")
            }
            required(licence.content, "licence.content")
            let decided = date(licence.decidedOn, "licence.decidedOn")
            notAfterToday(decided, "licence.decidedOn")
            let from = date(licence.validFrom, "licence.validFrom")
            let until = date(licence.validUntil, "licence.validUntil")
            if let from, let until, until < from {
                invalid("licence.validUntil", "\(until) is before validFrom \(from)")
            }
            organisation(licence.authority, "licence.authority")
            organisation(licence.dataSource, "licence.dataSource")
        }

        static func codePoint(_ scalar: Unicode.Scalar) -> String {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }

        static func isHex(_ byte: UInt8) -> Bool {
            (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70)
        }

        static func isLowerHexSHA256(_ text: String) -> Bool {
            text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
        }

        /// Foundation's parser quietly percent-encodes spaces, so whitespace,
        /// control characters and characters RFC 3986 never allows are refused
        /// first; non-ASCII (IRI) paths are accepted, as the portals use them.
        static let forbiddenInURL: Set<Unicode.Scalar> = ["\"", "<", ">", "\\", "^", "`", "{", "|", "}"]

        static func isAbsoluteHTTPURL(_ text: String) -> Bool {
            guard !text.unicodeScalars.contains(where: {
                $0.properties.isWhitespace || $0.properties.generalCategory == .control || forbiddenInURL.contains($0)
            }) else { return false }
            guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
                scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
            else { return false }
            return true
        }
    }
}

/// Blank: empty or only whitespace (including 全角 spaces and newlines).
func isBlank(_ text: String) -> Bool {
    text.allSatisfy(\.isWhitespace)
}
