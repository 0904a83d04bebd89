import Testing
@testable import GongkaiCore

@Suite struct CreditCodeTests {
    /// Real and synthetic codes whose check characters were computed independently.
    @Test(arguments: [
        "91350100M000100Y43", "91110000802100433B", "91110108551385082Q", "914403001922038216",
        "112200000135442852", "91220600MA14TLW8KP", "912201015500000000",
    ])
    func acceptsValidCodes(_ code: String) {
        #expect(CreditCode.isValid(code))
        #expect(CreditCode.problem(with: code) == nil)
        #expect(CreditCode.checkCharacter(forFirst17: String(code.prefix(17))) == code.last)
    }

    @Test func checkCharacterThirtyOneBecomesZero() {
        #expect(CreditCode.checkCharacter(forFirst17: "91220101550000000") == "0")
    }

    @Test func wrongCheckCharacterNamesTheExpectedOne() {
        // Often quoted as an example, but its check character does not compute.
        #expect(CreditCode.problem(with: "911100001000105614") == "wrong check character '4': expected '7'")
        #expect(CreditCode.problem(with: "91350100M000100Y44") == "wrong check character '4': expected '3'")
        #expect(CreditCode.problem(with: "91110000802100433C") == "wrong check character 'C': expected 'B'")
        #expect(!CreditCode.isValid("91110000802100433C"))
    }

    @Test func wrongLength() {
        #expect(CreditCode.problem(with: "") == "is empty")
        #expect(CreditCode.problem(with: "91350100M000100Y4") == "must be 18 characters, got 17")
        #expect(CreditCode.problem(with: "91350100M000100Y433") == "must be 18 characters, got 19")
    }

    @Test func badCharacters() {
        #expect(CreditCode.problem(with: "91350100I000100Y43")?.hasPrefix("character 'I' at position 9 is not allowed") == true)
        #expect(CreditCode.problem(with: "91350100O000100Y43")?.hasPrefix("character 'O' at position 9") == true)
        #expect(CreditCode.problem(with: "9135010ZM000100Y43")?.hasPrefix("character 'Z' at position 8") == true)
        #expect(CreditCode.problem(with: "91350100m000100Y43") == "lower-case 'm' at position 9; credit codes use upper-case letters")
        #expect(CreditCode.problem(with: "91350100M000100Y4中")?.hasPrefix("character '中' at position 18") == true)
        #expect(CreditCode.checkCharacter(forFirst17: "91350100I000100Y4") == nil)
        #expect(CreditCode.checkCharacter(forFirst17: "91350100M000100Y") == nil)
    }
}
