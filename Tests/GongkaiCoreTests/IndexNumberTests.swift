import Testing
@testable import GongkaiCore

@Suite struct IndexNumberTests {
    @Test(arguments: ["000014349/2018-00222", "013544285/2026-00012", "112200000135442852/2026-00001", "11220000MB1A2B3C4D/2026-99999"])
    func acceptsIndexNumbers(_ text: String) {
        #expect(IndexNumber.problem(with: text) == nil)
        #expect(IndexNumber.isValid(text))
    }

    @Test func rejectsWithReason() {
        #expect(IndexNumber.problem(with: "") == "is empty")
        #expect(IndexNumber.problem(with: "000014349-2018-00222")?.hasPrefix("missing '/'") == true)
        #expect(IndexNumber.problem(with: "00014349/2018-00222") == "organisation code before '/' must be 9 or 18 characters, got 8")
        #expect(IndexNumber.problem(with: "00001434a/2018-00222")
            == "character 'a' at position 9 of the organisation code must be 0-9 or A-Z")
        #expect(IndexNumber.problem(with: "000014349/201800222")?.hasPrefix("missing '-'") == true)
        #expect(IndexNumber.problem(with: "000014349/18-00222") == "year after '/' must be 4 digits, got '18'")
        #expect(IndexNumber.problem(with: "000014349/2018-0222") == "serial after '-' must be 5 digits, got '0222'")
        #expect(IndexNumber.problem(with: "000014349/2018-002220") == "serial after '-' must be 5 digits, got '002220'")
        #expect(IndexNumber.problem(with: "000014349/2018-0022２") != nil)
        #expect(IndexNumber.problem(with: "000014349/2018-00222 ") != nil)
    }
}
