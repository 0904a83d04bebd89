import Testing
@testable import GongkaiCore

@Suite struct DocumentNumberTests {
    @Test func parsesWellFormedNumbers() throws {
        let parts = try #require(DocumentNumber.parse("吉林发〔2023〕12号"))
        #expect(parts.agencyCode == "吉林发" && parts.year == 2023 && parts.serial == 12)
        #expect(DocumentNumber.problem(with: "吉林发〔2023〕12号") == nil)
        #expect(DocumentNumber.problem(with: "国办发〔2019〕1号") == nil)
        #expect(DocumentNumber.problem(with: "吉林草罚决字〔2026〕15号") == nil)
        #expect(DocumentNumber.parse("双林发〔2018〕66号")?.serial == 66)
    }

    @Test func rejectsZeroPadding() {
        #expect(DocumentNumber.problem(with: "吉林发〔2023〕012号") == "serial number must not be zero-padded (GB/T 9704): write 12, not 012")
        #expect(DocumentNumber.problem(with: "吉林发〔2023〕0号") == "serial number must be positive, got 0")
        #expect(DocumentNumber.parse("吉林发〔2023〕012号") == nil)
    }

    @Test func rejectsLookAlikeBrackets() {
        #expect(DocumentNumber.problem(with: "吉林发[2023]12号")?.hasPrefix("use 〔〕 (U+3014/U+3015) around the year, not []") == true)
        #expect(DocumentNumber.problem(with: "吉林发(2023)12号")?.hasPrefix("use 〔〕 (U+3014/U+3015) around the year, not ()") == true)
        #expect(DocumentNumber.problem(with: "吉林发（2023）12号")?.hasPrefix("use 〔〕 (U+3014/U+3015) around the year, not （）") == true)
        #expect(DocumentNumber.problem(with: "吉林发【2023】12号")?.hasPrefix("use 〔〕 (U+3014/U+3015) around the year, not 【】") == true)
        #expect(DocumentNumber.problem(with: "吉林发﹝2023﹞12号")?.contains("not ﹝﹞") == true)
        #expect(DocumentNumber.problem(with: "吉林发〔2023]12号") == "close the year with 〕 (U+3015), not ]")
        #expect(DocumentNumber.problem(with: "吉林发2023年12号")?.hasPrefix("missing the year in 〔〕") == true)
    }

    @Test func rejectsOtherShapes() {
        #expect(DocumentNumber.problem(with: "") == "is empty")
        #expect(DocumentNumber.problem(with: "〔2023〕12号")?.hasPrefix("missing the agency code (机关代字)") == true)
        #expect(DocumentNumber.problem(with: "吉林 发〔2023〕12号") == "agency code (机关代字) must not contain whitespace")
        #expect(DocumentNumber.problem(with: "吉林发〔2023〕12")?.hasPrefix("must end with 号") == true)
        #expect(DocumentNumber.problem(with: "吉林发〔2023〕12号文") == "unexpected text after 号")
        #expect(DocumentNumber.problem(with: "吉林发〔23〕12号") == "year in 〔〕 must be 4 digits, got '23'")
        #expect(DocumentNumber.problem(with: "吉林发〔2023〕号") == "missing the serial number between 〕 and 号")
        #expect(DocumentNumber.problem(with: "吉林发〔2023〕第12号")?.hasPrefix("drop 第") == true)
        #expect(DocumentNumber.problem(with: "吉林发〔2023〕１２号") == "serial number must use ASCII digits 0-9, got '１２'")
        #expect(DocumentNumber.problem(with: "吉林发〔2023〕十二号") == "serial number must be digits, got '十二'")
        #expect(DocumentNumber.problem(with: "吉林发〔2023〕1234567890号") == "serial number 1234567890 is too long")
        #expect(DocumentNumber.problem(with: "吉林发〔2023〕12号 ") == "unexpected text after 号")
    }
}
