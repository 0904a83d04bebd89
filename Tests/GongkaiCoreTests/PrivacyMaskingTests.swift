import Testing
@testable import GongkaiCore

@Suite struct PrivacyMaskingTests {
    @Test func maskIDNumber() {
        #expect(PrivacyMasking.maskIDNumber("11010119900307803X") == "110101********803X")
        #expect(PrivacyMasking.maskIDNumber("220621197903082519") == "220621********2519")
        #expect(PrivacyMasking.maskIDNumber("110101900307803") == "110101*****7803")
        #expect(PrivacyMasking.maskIDNumber("E12345678") == "E******78")
        #expect(PrivacyMasking.maskIDNumber("123") == "***")
    }

    @Test func idNumberEmbeddedInHTML() {
        let body = "<table><tr><td>身份证号码</td><td>11010119900307803X</td></tr></table><p>身份证号：220621197903082519。</p>"
        #expect(PrivacyMasking.maskText(body)
            == "<table><tr><td>身份证号码</td><td>110101********803X</td></tr></table><p>身份证号：220621********2519。</p>")
        // Lower-case x and a wrong check digit are still someone's number.
        #expect(PrivacyMasking.maskIDNumbers(in: "号码11010119900307803x") == "号码110101********803x")
        #expect(PrivacyMasking.maskIDNumbers(in: "号码110101199003078035") == "号码110101********8035")
    }

    @Test func leavesCodesAndLongerRunsAlone() {
        let text = "统一社会信用代码：91350100M000100Y43，914403001922038216；索引号000014349/2018-00222；"
            + "订单号A11010119900307803X；流水号1101011990030780351；日期2026-10-20"
        #expect(PrivacyMasking.maskText(text) == text)
        // 18 digits without a real birth date are not an ID number.
        #expect(PrivacyMasking.maskIDNumbers(in: "编号110101199013078035") == "编号110101199013078035")
    }

    @Test func mobileNumbers() {
        #expect(PrivacyMasking.maskPhones(in: "联系电话：13812341234。") == "联系电话：138****1234。")
        #expect(PrivacyMasking.maskPhones(in: "<td>19912345678</td>") == "<td>199****5678</td>")
        #expect(PrivacyMasking.maskPhones(in: "电话+8613812341234") == "电话+86138****1234")
        #expect(PrivacyMasking.maskPhones(in: "电话 138-1234-5678 或 138 1234 5678") == "电话 138-****-5678 或 138 **** 5678")
        // Not mobiles: 12x prefix, longer digit runs, too short.
        for text in ["12812341234", "213812341234", "1381234123", "138123412345"] {
            #expect(PrivacyMasking.maskPhones(in: text) == text)
        }
    }

    @Test func landlines() {
        #expect(PrivacyMasking.maskPhones(in: "咨询电话：0431-88886666。") == "咨询电话：0431-****6666。")
        #expect(PrivacyMasking.maskPhones(in: "010-1234567") == "010-****4567")
        for text in ["2018-00222", "0431-886", "0431-123456789", "20260-1234567"] {
            #expect(PrivacyMasking.maskPhones(in: text) == text)
        }
    }

    @Test func addresses() {
        #expect(PrivacyMasking.maskAddresses(in: "住址：吉林省长春市南关区幸福街道100号，电话")
            == "住址：吉林省长春市****，电话")
        #expect(PrivacyMasking.maskAddresses(in: "家庭住址：抚松县松江河镇林海街12号。") == "家庭住址：抚松县****。")
        #expect(PrivacyMasking.maskAddresses(in: "地址:朝阳区红旗街8号\n下一行") == "地址:朝阳区****\n下一行")
        #expect(PrivacyMasking.maskAddresses(in: "地址：松江河镇林海街12号；") == "地址：****；")
        #expect(PrivacyMasking.maskAddresses(in: "<td>住址：</td><td>吉林省白山市抚松县林海街12号</td>")
            == "<td>住址：</td><td>吉林省白山市****</td>")
        // Nothing after the division, a URL, or no colon: unchanged.
        for text in ["住址：吉林省长春市。", "网站地址：https://lcj.jl.gov.cn/a", "地址不详", "住址："] {
            #expect(PrivacyMasking.maskAddresses(in: text) == text)
        }
    }

    @Test func maskedForPublic() {
        let item = SampleDisclosures.penaltyOnNaturalPerson
        let masked = PrivacyMasking.maskedForPublic(item)
        #expect(masked.subject?.idNumber == "220621********2519")
        #expect(masked.body.contains("<td>220621********2519</td>"))
        #expect(!masked.body.contains("220621197903082519"))
        let facts = masked.penalty?.facts ?? ""
        #expect(facts.contains("身份证号码：220621********2519，"))
        #expect(facts.contains("联系电话：139****2345，"))
        #expect(facts.contains("住址：吉林省白山市****）于2026年8月"))
        #expect(masked.penalty?.authority == item.penalty?.authority)
        #expect(masked.penalty?.decisionNumber == item.penalty?.decisionNumber)
        #expect(masked.subject?.name == item.subject?.name)
        #expect(masked.indexNumber == item.indexNumber)
        // Idempotent, and the original is untouched.
        #expect(PrivacyMasking.maskedForPublic(masked) == masked)
        #expect(item.subject?.idNumber == "220621197903082519")
        // Organisations keep their codes.
        #expect(PrivacyMasking.maskedForPublic(SampleDisclosures.licence) == SampleDisclosures.licence)
    }

    @Test func publishability() {
        #expect(PrivacyMasking.isPublishableOnPublicChannels(SampleDisclosures.penaltyOnNaturalPerson))
        var minor = SampleDisclosures.penaltyOnNaturalPerson
        minor.subject?.minor = true
        #expect(!PrivacyMasking.isPublishableOnPublicChannels(minor))
        minor.subject?.minor = false
        #expect(PrivacyMasking.isPublishableOnPublicChannels(minor))
        #expect(!PrivacyMasking.isPublishableOnPublicChannels(SampleDisclosures.withheld))
        var onRequest = SampleDisclosures.notice
        onRequest.attribute = .onRequest
        #expect(!PrivacyMasking.isPublishableOnPublicChannels(onRequest))
    }
}

extension PrivacyMaskingTests {
    @Test func addressLabelEdgeCases() {
        // Labels without a colon, at the very start or end, and repeated.
        for text in ["址", "住址", "地址地址", "址：长春市南关区", "地址 长春市南关区"] {
            #expect(PrivacyMasking.maskAddresses(in: text) == text)
        }
        #expect(PrivacyMasking.maskAddresses(in: "住址：长春市南关区1号；地址：延吉市河南街2号")
            == "住址：长春市****；地址：延吉市****")
        #expect(PrivacyMasking.maskAddresses(in: "住址：<span>长春市南关区1号</span>") == "住址：<span>长春市****</span>")
        #expect(PrivacyMasking.maskAddresses(in: "住址：　长春市南关区1号") == "住址：　长春市****")
    }
}
