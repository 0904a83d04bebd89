/// Realistic disclosure items of a provincial forestry bureau, for tests, the
/// demo, the simulators and the benchmark.
///
/// They follow the bureaus' own disclosure plans (五公开, 政策解读 with 三同步,
/// 双公示 licences and penalties, 不予公开 with a reason) so that routing,
/// masking and deadline code is exercised on the shapes it will meet. All
/// organisation codes and the ID number are synthetic but carry correct check
/// characters; every date lies in 2026, no later than 2026-11-20. Every
/// sample passes ``ItemValidator`` (the tests check it).
public enum SampleDisclosures {
    /// 发布机构 of every sample.
    public static let publisher = DisclosureItem.Publisher(name: "吉林省林业和草原局", code: "112200000135442852")

    /// 处罚机关 / 许可机关 / 数据来源单位 of the 双公示 samples.
    public static let bureau = DisclosureItem.Organisation(name: "吉林省林业和草原局", code: "112200000135442852")

    /// 主题分类 used by the samples.
    public static let topic = "农业、林业、水利"

    /// A policy document (决策公开) with its 文号.
    public static let policy = DisclosureItem(
        id: "jl-forestry-policy-2026-0012",
        kind: .policy,
        category: .decision,
        title: "吉林省林业和草原局关于全面推进政务公开工作的实施方案",
        summary: "为全面推进决策、执行、管理、服务、结果公开，加强政策解读、回应社会关切、增强公开实效，制定本实施方案。",
        body: """
            <p>为全面推进决策、执行、管理、服务、结果公开（以下简称“五公开”），加强政策解读、回应社会关切、增强公开实效，\
            依据《中华人民共和国政府信息公开条例》，结合工作实际，制定本实施方案。</p>
            <h3>一、推进政务“五公开”</h3>
            <p>（一）决策公开。实行重大决策预公开制度，对拟定的涉及群众切身利益、需要社会广泛知晓的重要行政决策、\
            重大政策措施和重点工程项目，除依法应当保密的外，具体业务处室、单位要在决策前将决策草案和起草情况\
            通过局门户网站、政府信息公开平台、新闻媒体等方式向社会广泛征求公众意见，并及时公布意见采纳情况。</p>
            <p>（三）管理公开。推行行政执法公示制度，执法部门应在处罚信息形成之日起7个工作日内在局门户网站、\
            政府信息公开平台公示，同时与信用中国（吉林）共享数据。</p>
            <p>（五）结果公开。信息形成或变动之日起20个工作日内在局门户网站、政府信息公开平台公示。</p>
            <h3>二、强化政策解读</h3>
            <p>按照“谁起草、谁解读”原则，做到政策文件、解读方案和解读材料同步部署、同时审批。文件公布时，\
            相关解读材料应与文件同步在局门户网站和政府信息公开平台公布。</p>
            """,
        publisher: publisher,
        indexNumber: "013544285/2026-00012",
        documentNumber: "吉林林草发〔2026〕12号",
        topic: topic,
        genre: "方案",
        writtenOn: "2026-03-02",
        publishOn: "2026-03-05",
        formedOn: "2026-03-02"
    )

    /// The interpretation (政策解读) of ``policy``, released with it (三同步).
    public static let interpretation = DisclosureItem(
        id: "jl-forestry-interpretation-2026-0012",
        kind: .interpretation,
        category: .decision,
        title: "《吉林省林业和草原局关于全面推进政务公开工作的实施方案》政策解读",
        summary: "解读实施方案的起草背景、主要内容和公开时限要求。",
        body: """
            <h3>一、起草背景</h3>
            <p>为贯彻落实《中华人民共和国政府信息公开条例》，进一步推进全局政务公开工作，局办公室会同法规处、\
            信息中心起草了《实施方案》。</p>
            <h3>二、主要内容</h3>
            <p>《实施方案》围绕决策、执行、管理、服务、结果公开五个方面明确了公开事项、责任处室和公开渠道，\
            要求行政处罚信息自形成之日起7个工作日内公示，其他结果信息自形成或变动之日起20个工作日内公开。</p>
            <h3>三、解读机关及联系方式</h3>
            <p>解读机关：吉林省林业和草原局办公室。咨询电话：0431-88626012。</p>
            """,
        publisher: publisher,
        indexNumber: "013544285/2026-00013",
        topic: topic,
        genre: "解读",
        writtenOn: "2026-03-04",
        publishOn: "2026-03-05",
        relatedTo: [policy.id]
    )

    /// The natural person in ``penaltyOnNaturalPerson``; the ID number is
    /// synthetic (region 220621 抚松县) with a correct check digit.
    public static let naturalPerson = DisclosureItem.Subject(
        name: "李建国", type: .naturalPerson, idType: "身份证", idNumber: "220621197903082519")

    /// A penalty (行政处罚, 双公示) on a natural person, with an ID number in the
    /// HTML body and an ID number, mobile number and 住址 in the facts, so that
    /// masking has something to do.
    public static let penaltyOnNaturalPerson = DisclosureItem(
        id: "jl-forestry-penalty-2026-0015",
        kind: .penalty,
        category: .result,
        title: "吉林省林业和草原局行政处罚决定书（吉林草罚决字〔2026〕15号）",
        body: """
            <table>
            <tr><td>当事人</td><td>李建国</td></tr>
            <tr><td>身份证号码</td><td>220621197903082519</td></tr>
            <tr><td>违法行为</td><td>滥伐林木</td></tr>
            </table>
            <p>当事人于2026年8月在抚松县松江河林场施业区内，未取得林木采伐许可证，擅自采伐其承包经营的落叶松人工林，\
            滥伐林木蓄积12.6立方米。依据《中华人民共和国森林法》第七十六条第二款，本局决定责令当事人补种滥伐株数\
            三倍的树木，并处滥伐林木价值三倍的罚款人民币8400元。</p>
            """,
        publisher: publisher,
        indexNumber: "013544285/2026-00215",
        documentNumber: "吉林草罚决字〔2026〕15号",
        topic: topic,
        genre: "行政处罚决定书",
        writtenOn: "2026-10-20",
        publishOn: "2026-10-23",
        formedOn: "2026-10-20",
        subject: naturalPerson,
        penalty: DisclosureItem.PenaltyDetail(
            decisionNumber: "吉林草罚决字〔2026〕15号",
            violationType: "滥伐林木",
            facts: "经查，当事人李建国（身份证号码：220621197903082519，联系电话：13943912345，"
                + "住址：吉林省白山市抚松县松江河镇林海街12号）于2026年8月在抚松县松江河林场施业区内，"
                + "未取得林木采伐许可证，擅自采伐其承包经营的落叶松人工林，滥伐林木蓄积12.6立方米。",
            basis: "《中华人民共和国森林法》第五十六条第一款、第七十六条第二款",
            penaltyTypes: ["罚款"],
            content: "责令补种滥伐株数三倍的树木共计360株，并处滥伐林木价值三倍的罚款人民币8400元。",
            fineAmount: 0.84,
            decidedOn: "2026-10-20",
            validUntil: "2027-10-19",
            publicUntil: "2027-04-19",
            authority: bureau,
            dataSource: bureau
        )
    )

    /// An administrative licence (行政许可, 双公示) granted to an organisation.
    public static let licence = DisclosureItem(
        id: "jl-forestry-licence-2026-0208",
        kind: .licence,
        category: .result,
        title: "吉林省长白山林海木业有限公司林木采伐许可决定",
        body: """
            <p>吉林省长白山林海木业有限公司：</p>
            <p>你单位提交的林木采伐申请材料齐全，符合法定形式。经审查，根据《中华人民共和国森林法》第五十六条，\
            决定准予在白山市抚松县东岗林场第12林班采伐落叶松人工林，采伐方式为择伐，采伐面积8.5公顷，\
            蓄积量420立方米，并于2027年3月31日前完成更新造林。</p>
            """,
        publisher: publisher,
        indexNumber: "013544285/2026-00208",
        topic: topic,
        genre: "行政许可",
        writtenOn: "2026-09-15",
        publishOn: "2026-09-17",
        formedOn: "2026-09-15",
        subject: DisclosureItem.Subject(
            name: "吉林省长白山林海木业有限公司", type: .organisation, creditCode: "91220600MA14TLW8KP",
            legalRepresentative: "张志远"),
        licence: DisclosureItem.LicenceDetail(
            documentName: "林木采伐许可决定书",
            decisionNumber: "吉林草采许〔2026〕208号",
            licenceType: "普通",
            certificateName: "林木采伐许可证",
            certificateNumber: "JL2026-CF-000208",
            content: "准予在白山市抚松县东岗林场第12林班择伐落叶松人工林，采伐面积8.5公顷，蓄积量420立方米。",
            decidedOn: "2026-09-15",
            validFrom: "2026-09-15",
            validUntil: "2027-03-31",
            authority: bureau,
            dataSource: bureau
        )
    )

    /// A penalty that revokes a licence (吊销许可证件) of an organisation that
    /// has no 统一社会信用代码 yet, named by its 工商注册号, with its legal
    /// representative's ID number: the optional 双公示 fields (CF_NR_ZKDX,
    /// CF_XDR_GSZC, CF_FR_ZJLX / CF_FR_ZJHM) all in use. Not in ``all``, so
    /// the demo and the benchmark keep their item set.
    public static let revocationOnOrganisation = DisclosureItem(
        id: "jl-forestry-penalty-2026-0021",
        kind: .penalty,
        category: .result,
        title: "吉林省林业和草原局行政处罚决定书（吉林草罚决字〔2026〕21号）",
        body: """
            <p>当事人：抚松县松江河镇兴林木材加工厂，法定代表人：王振山。</p>
            <p>当事人收购、加工无合法来源证明的木材共计86立方米。依据《中华人民共和国森林法》第七十八条，\
            本局决定吊销其木材经营加工许可证，并处罚款人民币25000元。</p>
            """,
        publisher: publisher,
        indexNumber: "013544285/2026-00221",
        documentNumber: "吉林草罚决字〔2026〕21号",
        topic: topic,
        genre: "行政处罚决定书",
        writtenOn: "2026-11-02",
        publishOn: "2026-11-04",
        formedOn: "2026-11-02",
        subject: DisclosureItem.Subject(
            name: "抚松县松江河镇兴林木材加工厂", type: .organisation, businessRegistrationNumber: "220621000031572",
            legalRepresentative: "王振山", legalRepresentativeIDType: "身份证",
            legalRepresentativeIDNumber: "220621197506140316"),
        penalty: DisclosureItem.PenaltyDetail(
            decisionNumber: "吉林草罚决字〔2026〕21号",
            violationType: "收购、加工无合法来源证明的木材",
            facts: "经查，当事人于2026年7月至9月收购、加工无合法来源证明的落叶松原木共计86立方米。",
            basis: "《中华人民共和国森林法》第六十五条、第七十八条",
            penaltyTypes: ["罚款", "吊销许可证件"],
            content: "吊销木材经营加工许可证，并处罚款人民币25000元。",
            fineAmount: 2.5,
            suspendedOrRevokedLicence: "木材经营加工许可证（吉林草木加〔2024〕0375号）",
            decidedOn: "2026-11-02",
            validUntil: "2027-11-01",
            authority: bureau,
            dataSource: bureau
        )
    )

    /// An item recorded as 不予公开, with its reason; it never leaves the outbox.
    public static let withheld = DisclosureItem(
        id: "jl-forestry-withheld-2026-0003",
        kind: .notice,
        category: .management,
        title: "2026年全省森林草原防火重点区域扑火力量部署方案",
        body: "<p>本文件涉及国家秘密，不予公开。</p>",
        publisher: publisher,
        indexNumber: "013544285/2026-00003",
        documentNumber: "吉林林草防发〔2026〕3号",
        topic: topic,
        genre: "方案",
        writtenOn: "2026-02-10",
        publishOn: "2026-02-12",
        attribute: .withheld,
        withheldReason: "涉及国家秘密，依据《中华人民共和国政府信息公开条例》第十四条不予公开。"
    )

    /// A notice (通知, 执行公开).
    public static let notice = DisclosureItem(
        id: "jl-forestry-notice-2026-0041",
        kind: .notice,
        category: .execution,
        title: "关于开展2026年全省森林草原防火宣传月活动的通知",
        summary: "4月为全省森林草原防火宣传月，各地要通过门户网站、政务新媒体等渠道开展防火宣传。",
        body: """
            <p>各市（州）林业和草原主管部门，长白山管委会林业主管部门，局机关各处室、各直属单位：</p>
            <p>为进一步增强全社会森林草原防火意识，经研究，决定于2026年4月开展全省森林草原防火宣传月活动。\
            各单位要通过门户网站、政务新媒体、户外广告等多种渠道，广泛宣传森林草原防火法律法规和安全常识，\
            严格落实野外火源管控措施。</p>
            <p>请于5月10日前将活动开展情况报送局防火办。</p>
            """,
        publisher: publisher,
        indexNumber: "013544285/2026-00041",
        documentNumber: "吉林林草办发〔2026〕41号",
        topic: topic,
        genre: "通知",
        writtenOn: "2026-04-01",
        publishOn: "2026-04-02"
    )

    /// A draft for public comment (征求意见稿) on a major administrative decision:
    /// comments are taken for 38 days, over the 30-day minimum.
    public static let consultation = DisclosureItem(
        id: "jl-forestry-consultation-2026-0007",
        kind: .consultation,
        category: .decision,
        title: "关于公开征求《吉林省林草湿生态连续体保护规划（2026—2035年）（征求意见稿）》意见的公告",
        summary: "规划涉及全省林草湿生态保护格局，属重大行政决策事项，现向社会公开征求意见。",
        body: """
            <p>为提高决策的科学性和透明度，现将《吉林省林草湿生态连续体保护规划（2026—2035年）（征求意见稿）》\
            及起草说明向社会公开征求意见。</p>
            <p>征求意见期限：2026年9月1日至2026年10月9日。公众可通过局门户网站“意见征集”栏目或电子邮件\
            lcjghc@jl.gov.cn 提出意见，请注明姓名和联系方式。</p>
            """,
        publisher: publisher,
        indexNumber: "013544285/2026-00061",
        topic: topic,
        genre: "公告",
        writtenOn: "2026-08-28",
        publishOn: "2026-09-01",
        formedOn: "2026-08-28",
        commentsUntil: "2026-10-09",
        majorDecision: true
    )

    /// The adoption report (意见采纳情况) of ``consultation``.
    public static let feedback = DisclosureItem(
        id: "jl-forestry-feedback-2026-0007",
        kind: .feedback,
        category: .decision,
        title: "《吉林省林草湿生态连续体保护规划（2026—2035年）（征求意见稿）》公开征求意见采纳情况",
        body: """
            <p>2026年9月1日至10月9日，我局就规划征求意见稿公开征求社会意见，共收到意见建议46条，\
            采纳31条，部分采纳6条，未采纳9条。</p>
            <p>未采纳的主要是涉及跨省协调的事项，超出本规划范围，已转有关部门研究。</p>
            """,
        publisher: publisher,
        indexNumber: "013544285/2026-00062",
        topic: topic,
        genre: "公告",
        writtenOn: "2026-10-28",
        publishOn: "2026-10-30",
        relatedTo: [consultation.id]
    )

    /// A response to a public concern (回应关切), within 3 working days.
    public static let response = DisclosureItem(
        id: "jl-forestry-response-2026-0019",
        kind: .response,
        category: .service,
        title: "关于网民反映长白山林区禁入期通行问题的回应",
        body: """
            <p>近日有网民反映，森林防火禁入期内部分林区道路设卡影响村民通行。经核实，有关林场已为辖区\
            村民办理通行证，并在卡口公示办理方式和咨询电话0431-88626012。</p>
            """,
        publisher: publisher,
        indexNumber: "013544285/2026-00063",
        topic: topic,
        genre: "回应",
        writtenOn: "2026-11-17",
        publishOn: "2026-11-18",
        raisedOn: "2026-11-16"
    )

    /// An urgent response (重大突发舆情), due the day the concern was raised.
    public static let urgentResponse = DisclosureItem(
        id: "jl-forestry-response-2026-0011",
        kind: .response,
        category: .service,
        title: "关于白山市江源区山火情况的通报",
        body: """
            <p>8月10日11时许，白山市江源区一处林地发生火情，当地已组织扑救力量，明火已于14时扑灭，\
            未造成人员伤亡。起火原因正在调查中，我局将及时发布后续情况。</p>
            """,
        publisher: publisher,
        indexNumber: "013544285/2026-00064",
        topic: topic,
        genre: "通报",
        writtenOn: "2026-08-10",
        publishOn: "2026-08-10",
        raisedOn: "2026-08-10",
        urgent: true
    )

    /// Every named sample, in a stable order.
    public static let all: [DisclosureItem] = [
        policy, interpretation, penaltyOnNaturalPerson, licence, withheld, notice, consultation, feedback, response,
        urgentResponse,
    ]

    /// A corrected version (纠错) of `item`: the title marked 更正 and a
    /// correction note appended to the body; it stays valid and differs from
    /// the original, so a channel must be updated.
    public static func edited(_ item: DisclosureItem) -> DisclosureItem {
        var copy = item
        let mark = "（更正）"
        if !copy.title.hasSuffix(mark) { copy.title += mark }
        copy.body += "<p>更正说明：原文部分内容有误，已于发布后更正，以本版本为准。</p>"
        return copy
    }

    /// `count` distinct valid items for benchmarks, deterministic for a
    /// given `seed`: ids `bench-<seed>-<n>`, kinds rotating policy, notice,
    /// result, HTML bodies of about 1-2 KB, dates in 2026 up to 2026-11-10.
    public static func generated(count: Int, seed: Int) -> [DisclosureItem] {
        guard count > 0 else { return [] }
        var random = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
        let firstDay = CalendarDate(year: 2026, month: 1, day: 5)!
        var items: [DisclosureItem] = []
        items.reserveCapacity(count)
        for n in 0..<count {
            let kind: DisclosureItem.Kind
            let category: DisclosureItem.Category
            let title: String
            let genre: String
            let theme = themes[Int(random.next() % UInt64(themes.count))]
            switch n % 3 {
            case 0:
                kind = .policy
                category = .decision
                title = "吉林省林业和草原局关于\(theme)的实施意见（\(n + 1)）"
                genre = "意见"
            case 1:
                kind = .notice
                category = .execution
                title = "关于做好\(theme)工作的通知（\(n + 1)）"
                genre = "通知"
            default:
                kind = .result
                category = .result
                title = "\(theme)工作结果公开（\(n + 1)）"
                genre = "公告公示"
            }
            var body = "<p>编号：bench-\(seed)-\(n)。为做好\(theme)工作，现将有关事项公布如下。</p>\n"
            // Grow to a target between 1.1 and 1.6 KB; one more paragraph stays under 2 KB.
            let target = 1100 + Int(random.next() % 500)
            while body.utf8.count < target {
                body += "<p>"
                body += paragraphs[Int(random.next() % UInt64(paragraphs.count))]
                body += "</p>\n"
            }
            let written = firstDay.adding(days: Int(random.next() % 300))
            let published = written.adding(days: Int(random.next() % 10))
            let serial = n % 100_000
            let serialText = String(serial)
            items.append(
                DisclosureItem(
                    id: "bench-\(seed)-\(n)",
                    kind: kind,
                    category: category,
                    title: title,
                    body: body,
                    publisher: publisher,
                    indexNumber: "013544285/2026-" + String(repeating: "0", count: 5 - serialText.count) + serialText,
                    documentNumber: kind == .policy ? "吉林林草发〔2026〕\(n + 1)号" : nil,
                    topic: topic,
                    genre: genre,
                    writtenOn: written.description,
                    publishOn: published.description,
                    formedOn: written.description
                ))
        }
        return items
    }

    private static let themes = [
        "森林草原防火", "林木采伐管理", "天然林保护修复", "国土绿化行动", "湿地保护", "野生动植物保护",
        "林业有害生物防治", "自然保护地建设", "林草种苗管理", "集体林权制度改革", "林下经济发展", "政务公开",
    ]

    /// Sentences from the bureaus' disclosure plans, 200-400 bytes each.
    private static let paragraphs = [
        "实行重大决策预公开制度，对拟定的涉及群众切身利益、需要社会广泛知晓的重要行政决策、重大政策措施和重点工程项目，除依法应当保密的外，具体业务处室、单位要在决策前将决策草案和起草情况通过局门户网站、政府信息公开平台、新闻媒体等方式向社会广泛征求公众意见。",
        "重点工作任务、重要政策、重大项目等，相关处室要主动在局门户网站公开执行措施、实施步骤、责任分工、监督方式等，并根据工作推进情况及时公开工作进展、取得成效、后续举措等，听取公众意见建议。",
        "推行行政执法公示制度，执法部门应在处罚信息形成之日起7个工作日内在局门户网站、政府信息公开平台公示，同时与信用中国（吉林）共享数据，实现行政执法网上运行和监督。",
        "落实政务服务公开，编制政务服务办事指南，通过政府信息公开平台和“吉事办”平台等多种渠道公开政务服务事项名称、基本流程、申请材料、收费标准等，并提供规范表格和示例样表。",
        "建立健全政策落实跟踪反馈和评估制度，注重运用第三方评估、专业机构鉴定、社情民意调查等方式，科学评价政策落实效果，推进评估结果公开，信息形成或变动之日起20个工作日内公示。",
        "按照“谁起草、谁解读”原则，起草业务处室要做好政策解读工作，做到政策文件、解读方案和解读材料同步部署、同时审批，文件公布时相关解读材料应与文件同步在局门户网站和政府信息公开平台公布。",
        "推进局门户网站、微博微信客户端等的综合应用，完善各类平台协调对接机制，拓展信息传播渠道，实现平台载体联动更新，提高信息发布和互动回应时效。",
        "完善信息发布协调机制，严格规范和执行工作流程，对涉及其他部门或单位的政府信息，应当沟通确认，确保发布信息准确一致；落实政务公开保密审查制度，把握好公开与保密的关系。",
        "依托政府信息公开平台建成本部门行政规范性文件库，明确标注规范性文件的名称、文号、发布机构、索引号、主题分类、成文及发布日期、有效性等要素，提高规范性文件公开质量。",
        "规范编制发布政府信息公开工作年度报告，切实提高年报内容质量和数据准确性，注意收集在办理政府信息公开申请中发现的群众普遍关心的政府信息，以适当方式予以主动公开。",
    ]
}
