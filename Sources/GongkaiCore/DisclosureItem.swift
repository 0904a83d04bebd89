/// One disclosure item (政府信息) as an agency submits it.
///
/// Keys are camelCase in JSON; `docs/disclosure-item.md` documents every
/// field with a complete example and `schema/disclosure-item.schema.json` is
/// the machine-readable contract.
/// Decoding only checks JSON shape; ``ItemValidator`` checks the rules.
public struct DisclosureItem: Codable, Sendable, Equatable {
    /// The caller's stable id; the same id always means the same item.
    public var id: String
    /// Decides the rules and the channels: only licences and penalties go to
    /// the credit-sharing feed (双公示), and only they carry a ``subject``.
    public var kind: Kind
    /// 五公开 category.
    public var category: Category
    /// 标题; one line, as every channel shows it in lists.
    public var title: String
    /// 摘要; channels with short previews (WeChat digest, Weibo) use it.
    public var summary: String?
    /// HTML body.
    public var body: String
    /// 附件; files stay where the agency hosts them, identified by hash so a
    /// changed file is a changed item.
    public var attachments: [Attachment]?
    /// 发布机构.
    public var publisher: Publisher
    /// 索引号, `<9- or 18-char organisation code>/<YYYY>-<5-digit serial>`.
    public var indexNumber: String
    /// 文号 per GB/T 9704, e.g. `吉林发〔2023〕12号`.
    public var documentNumber: String?
    /// 主题分类.
    public var topic: String
    /// 体裁分类.
    public var genre: String?
    /// 成文日期, `YYYY-MM-DD`.
    public var writtenOn: String
    /// 发布日期, `YYYY-MM-DD`.
    public var publishOn: String
    /// The day the information was formed or changed; deadlines count from it.
    public var formedOn: String?
    /// 有效性.
    public var validity: Validity
    /// 公开属性.
    public var attribute: Attribute
    /// Required when ``attribute`` is ``Attribute/withheld``: why it is not disclosed.
    public var withheldReason: String?
    /// 先审后发: nothing leaves before it is approved.
    public var review: Review
    /// Ids of related items (an interpretation names its policy document here).
    public var relatedTo: [String]?
    /// 行政相对人, for licences and penalties.
    public var subject: Subject?
    /// 行政处罚 details; present exactly when ``kind`` is ``Kind/penalty``.
    public var penalty: PenaltyDetail?
    /// 行政许可 details; present exactly when ``kind`` is ``Kind/licence``.
    public var licence: LicenceDetail?
    /// 征求意见截止日期, `YYYY-MM-DD`: the last day comments are taken; required
    /// for a ``Kind/consultation`` and only there. The adoption report
    /// (``Kind/feedback``) is due a number of working days after it.
    public var commentsUntil: String?
    /// 重大行政决策: a consultation on a major administrative decision, whose
    /// comment period must run at least the configured minimum (30 days).
    public var majorDecision: Bool?
    /// The day the public concern was raised (舆情发现日期), `YYYY-MM-DD`;
    /// required for a ``Kind/response`` and only there: its deadline counts from it.
    public var raisedOn: String?
    /// 重大突发舆情: a response due the same day it was raised.
    public var urgent: Bool?

    /// Creates an item; the defaults are those of an ordinary approved,
    /// proactively disclosed, valid document.
    public init(
        id: String, kind: Kind, category: Category, title: String, summary: String? = nil,
        body: String, attachments: [Attachment]? = nil, publisher: Publisher, indexNumber: String,
        documentNumber: String? = nil, topic: String, genre: String? = nil, writtenOn: String,
        publishOn: String, formedOn: String? = nil, validity: Validity = .valid,
        attribute: Attribute = .proactive, withheldReason: String? = nil, review: Review = .approved,
        relatedTo: [String]? = nil, subject: Subject? = nil, penalty: PenaltyDetail? = nil,
        licence: LicenceDetail? = nil, commentsUntil: String? = nil, majorDecision: Bool? = nil,
        raisedOn: String? = nil, urgent: Bool? = nil
    ) {
        self.id = id
        self.kind = kind
        self.category = category
        self.title = title
        self.summary = summary
        self.body = body
        self.attachments = attachments
        self.publisher = publisher
        self.indexNumber = indexNumber
        self.documentNumber = documentNumber
        self.topic = topic
        self.genre = genre
        self.writtenOn = writtenOn
        self.publishOn = publishOn
        self.formedOn = formedOn
        self.validity = validity
        self.attribute = attribute
        self.withheldReason = withheldReason
        self.review = review
        self.relatedTo = relatedTo
        self.subject = subject
        self.penalty = penalty
        self.licence = licence
        self.commentsUntil = commentsUntil
        self.majorDecision = majorDecision
        self.raisedOn = raisedOn
        self.urgent = urgent
    }

    /// What sort of government information the item is.
    ///
    /// `consultation` is a draft put out for public comment (征求意见稿),
    /// `feedback` the report on which comments were adopted (意见采纳情况,
    /// naming its consultation in ``relatedTo``), `response` a response to a
    /// public concern (回应关切).
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case policy, normative, interpretation, notice, licence, penalty, result, consultation, feedback, response
    }

    /// 五公开: decision 决策, execution 执行, management 管理, service 服务, result 结果.
    public enum Category: String, Codable, Sendable, CaseIterable {
        case decision, execution, management, service, result
    }

    /// 有效性.
    public enum Validity: String, Codable, Sendable, CaseIterable {
        case valid = "有效"
        case expired = "失效"
        case repealed = "废止"
        case amended = "已修改"
    }

    /// 公开属性.
    public enum Attribute: String, Codable, Sendable, CaseIterable {
        /// 主动公开: goes out to the public channels.
        case proactive
        /// 依申请公开: on request only, never pushed to public channels.
        case onRequest = "on-request"
        /// 不予公开: never leaves; a reason is recorded.
        case withheld
    }

    /// 先审后发 review state.
    public enum Review: String, Codable, Sendable, CaseIterable {
        case approved, pending
    }

    /// A file published with the item (附件).
    public struct Attachment: Codable, Sendable, Equatable {
        /// The name readers see.
        public var name: String
        /// Absolute http(s) URL where the agency hosts the file.
        public var url: String
        /// Lower-case hex SHA-256 of the file.
        public var sha256: String
        /// Creates an attachment.
        public init(name: String, url: String, sha256: String) {
            self.name = name
            self.url = url
            self.sha256 = sha256
        }
    }

    /// 发布机构: full name, and its 统一社会信用代码 where known.
    public struct Publisher: Codable, Sendable, Equatable {
        /// Full name, as the catalogue requires (no abbreviations).
        public var name: String
        /// 统一社会信用代码 (GB 32100).
        public var code: String?
        /// Creates a publisher.
        public init(name: String, code: String? = nil) {
            self.name = name
            self.code = code
        }
    }

    /// 行政相对人 of a licence or penalty.
    public struct Subject: Codable, Sendable, Equatable {
        /// 行政相对人名称 (CF_XDR_MC / XK_XDR_MC).
        public var name: String
        /// Decides which identifier is required: credit code or ID number.
        public var type: SubjectType
        /// 统一社会信用代码 (GB 32100); an organisation or individual business
        /// without one gives one of the registration numbers below instead.
        public var creditCode: String?
        /// 工商注册号 (CF_XDR_GSZC / XK_XDR_GSZC), for a subject without a credit code.
        public var businessRegistrationNumber: String?
        /// 组织机构代码 (CF_XDR_ZZJG / XK_XDR_ZZJG), for a subject without a credit code.
        public var organisationCode: String?
        /// 税务登记号 (CF_XDR_SWDJ / XK_XDR_SWDJ), for a subject without a credit code.
        public var taxRegistrationNumber: String?
        /// 事业单位证书号 (CF_XDR_SYDW / XK_XDR_SYDW), for a subject without a credit code.
        public var publicInstitutionCertificateNumber: String?
        /// 社会组织登记证号 (CF_XDR_SHZZ / XK_XDR_SHZZ), for a subject without a credit code.
        public var socialOrganisationCertificateNumber: String?
        /// 证件类型; defaults to 身份证 when an ``idNumber`` is given.
        public var idType: String?
        /// 身份证号 (GB 11643), required for natural persons.
        public var idNumber: String?
        /// 法定代表人 (CF_FRDB / XK_FRDB).
        public var legalRepresentative: String?
        /// 法定代表人证件类型 (CF_FR_ZJLX / XK_FR_ZJLX); defaults to 身份证 when
        /// ``legalRepresentativeIDNumber`` is given.
        public var legalRepresentativeIDType: String?
        /// 法定代表人证件号码 (CF_FR_ZJHM / XK_FR_ZJHM); masked on public channels
        /// like ``idNumber``.
        public var legalRepresentativeIDNumber: String?
        /// Records about minors never go to public channels.
        public var minor: Bool?
        /// Creates a subject.
        public init(
            name: String, type: SubjectType, creditCode: String? = nil, businessRegistrationNumber: String? = nil,
            organisationCode: String? = nil, taxRegistrationNumber: String? = nil,
            publicInstitutionCertificateNumber: String? = nil, socialOrganisationCertificateNumber: String? = nil,
            idType: String? = nil, idNumber: String? = nil, legalRepresentative: String? = nil,
            legalRepresentativeIDType: String? = nil, legalRepresentativeIDNumber: String? = nil, minor: Bool? = nil
        ) {
            self.name = name
            self.type = type
            self.creditCode = creditCode
            self.businessRegistrationNumber = businessRegistrationNumber
            self.organisationCode = organisationCode
            self.taxRegistrationNumber = taxRegistrationNumber
            self.publicInstitutionCertificateNumber = publicInstitutionCertificateNumber
            self.socialOrganisationCertificateNumber = socialOrganisationCertificateNumber
            self.idType = idType
            self.idNumber = idNumber
            self.legalRepresentative = legalRepresentative
            self.legalRepresentativeIDType = legalRepresentativeIDType
            self.legalRepresentativeIDNumber = legalRepresentativeIDNumber
            self.minor = minor
        }

        /// The registration numbers that stand in for a missing credit code,
        /// with their JSON keys, in the national field order (GSZC, ZZJG, SWDJ, SYDW, SHZZ).
        public var registrationNumbers: [(key: String, value: String?)] {
            [
                ("businessRegistrationNumber", businessRegistrationNumber), ("organisationCode", organisationCode),
                ("taxRegistrationNumber", taxRegistrationNumber),
                ("publicInstitutionCertificateNumber", publicInstitutionCertificateNumber),
                ("socialOrganisationCertificateNumber", socialOrganisationCertificateNumber),
            ]
        }
    }

    /// 行政相对人类别 (CF_XDR_LB / XK_XDR_LB).
    public enum SubjectType: String, Codable, Sendable, CaseIterable {
        case organisation = "法人及非法人组织"
        case naturalPerson = "自然人"
        case individualBusiness = "个体工商户"
    }

    /// An organisation named with its 统一社会信用代码 (处罚机关, 数据来源单位 …).
    public struct Organisation: Codable, Sendable, Equatable {
        /// Full name.
        public var name: String
        /// 统一社会信用代码 (GB 32100).
        public var code: String
        /// Creates an organisation reference.
        public init(name: String, code: String) {
            self.name = name
            self.code = code
        }
    }

    /// The facts of an administrative penalty (行政处罚), the CF_ fields of 双公示.
    public struct PenaltyDetail: Codable, Sendable, Equatable {
        /// CF_WSH 行政处罚决定书文号.
        public var decisionNumber: String
        /// CF_WFXW 违法行为类型.
        public var violationType: String
        /// CF_SY 违法事实.
        public var facts: String
        /// CF_YJ 处罚依据.
        public var basis: String
        /// CF_CFLB 处罚类别 (警告, 罚款, 没收违法所得 …).
        public var penaltyTypes: [String]
        /// CF_NR 处罚内容.
        public var content: String
        /// CF_NR_FK 罚款金额 (万元).
        public var fineAmount: Double?
        /// CF_NR_WFFF 没收违法所得、没收非法财物的金额 (万元).
        public var confiscatedAmount: Double?
        /// CF_NR_ZKDX 暂扣或吊销证照名称及编号; required when a 处罚类别 is a
        /// 暂扣 or 吊销 (``suspendsOrRevokesLicence``).
        public var suspendedOrRevokedLicence: String?
        /// CF_JDRQ 处罚决定日期; the 7-working-day deadline counts from it.
        public var decidedOn: String
        /// CF_YXQ 处罚有效期.
        public var validUntil: String?
        /// CF_GSJZQ 公示截止期.
        public var publicUntil: String?
        /// CF_CFJG / CF_CFJGDM 处罚机关.
        public var authority: Organisation
        /// CF_SJLY / CF_SJLYDM 数据来源单位.
        public var dataSource: Organisation
        /// BZ 备注.
        public var remarks: String?
        /// Creates penalty details.
        public init(
            decisionNumber: String, violationType: String, facts: String, basis: String,
            penaltyTypes: [String], content: String, fineAmount: Double? = nil,
            confiscatedAmount: Double? = nil, suspendedOrRevokedLicence: String? = nil, decidedOn: String,
            validUntil: String? = nil, publicUntil: String? = nil, authority: Organisation, dataSource: Organisation,
            remarks: String? = nil
        ) {
            self.decisionNumber = decisionNumber
            self.violationType = violationType
            self.facts = facts
            self.basis = basis
            self.penaltyTypes = penaltyTypes
            self.content = content
            self.fineAmount = fineAmount
            self.confiscatedAmount = confiscatedAmount
            self.suspendedOrRevokedLicence = suspendedOrRevokedLicence
            self.decidedOn = decidedOn
            self.validUntil = validUntil
            self.publicUntil = publicUntil
            self.authority = authority
            self.dataSource = dataSource
            self.remarks = remarks
        }

        /// Whether a 处罚类别 suspends or revokes a licence or permit (暂扣许可证件,
        /// 吊销许可证件, 吊销营业执照 …), so that CF_NR_ZKDX must name it.
        public var suspendsOrRevokesLicence: Bool {
            penaltyTypes.contains { $0.contains("暂扣") || $0.contains("吊销") }
        }
    }

    /// The facts of an administrative licence (行政许可), the XK_ fields of 双公示.
    public struct LicenceDetail: Codable, Sendable, Equatable {
        /// XK_XKWS 行政许可决定文书名称.
        public var documentName: String
        /// XK_WSH 行政许可决定文书号.
        public var decisionNumber: String
        /// XK_XKLB 许可类别 (普通, 特许, 认可, 核准, 登记, 其他).
        public var licenceType: String
        /// XK_XKZS 许可证书名称.
        public var certificateName: String?
        /// XK_XKBH 许可编号.
        public var certificateNumber: String?
        /// XK_NR 许可内容.
        public var content: String
        /// XK_JDRQ 许可决定日期; the 7-working-day deadline counts from it.
        public var decidedOn: String
        /// XK_YXQZ 有效期自.
        public var validFrom: String
        /// XK_YXQZI 有效期至 (2099-12-31 means long-term).
        public var validUntil: String
        /// XK_XKJG / XK_XKJGDM 许可机关.
        public var authority: Organisation
        /// XK_ZT 当前状态 (有效 / 无效); not sent when absent.
        public var status: LicenceStatus?
        /// XK_LYDW / XK_LYDWDM 数据来源单位.
        public var dataSource: Organisation
        /// BZ 备注.
        public var remarks: String?
        /// Creates licence details.
        public init(
            documentName: String, decisionNumber: String, licenceType: String,
            certificateName: String? = nil, certificateNumber: String? = nil, content: String,
            decidedOn: String, validFrom: String, validUntil: String, authority: Organisation,
            status: LicenceStatus? = nil, dataSource: Organisation, remarks: String? = nil
        ) {
            self.documentName = documentName
            self.decisionNumber = decisionNumber
            self.licenceType = licenceType
            self.certificateName = certificateName
            self.certificateNumber = certificateNumber
            self.content = content
            self.decidedOn = decidedOn
            self.validFrom = validFrom
            self.validUntil = validUntil
            self.authority = authority
            self.status = status
            self.dataSource = dataSource
            self.remarks = remarks
        }
    }

    /// 当前状态 of a licence (XK_ZT): the national code is 1 for 有效 and 2 for 无效.
    public enum LicenceStatus: String, Codable, Sendable, CaseIterable {
        case valid = "有效"
        case invalid = "无效"
    }
}
