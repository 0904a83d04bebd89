import Testing
@testable import GongkaiCore

@Suite struct ResidentIDNumberTests {
    @Test(arguments: ["11010119900307803X", "220621197903082519", "220102198506123012", "220104197803154024"])
    func acceptsValidNumbers(_ number: String) {
        #expect(ResidentIDNumber.isValid(number, today: testToday))
        #expect(ResidentIDNumber.problem(with: number, today: testToday) == nil)
        #expect(ResidentIDNumber.checkCharacter(forFirst17: String(number.prefix(17))) == number.last)
    }

    @Test func wrongCheckCharacter() {
        #expect(ResidentIDNumber.problem(with: "110101199003078035", today: testToday) == "wrong check character '5': expected 'X'")
        #expect(ResidentIDNumber.problem(with: "22062119790308251X", today: testToday) == "wrong check character 'X': expected '9'")
    }

    @Test func lowerCaseXIsRejected() {
        let problem = ResidentIDNumber.problem(with: "11010119900307803x", today: testToday)
        #expect(problem == "check character must be upper-case 'X', not 'x'")
        #expect(!ResidentIDNumber.isValid("11010119900307803x", today: testToday))
    }

    @Test func birthDateMustBeRealAndNotInTheFuture() {
        // Check digits computed for these (otherwise valid) numbers.
        #expect(ResidentIDNumber.problem(with: "220102202701010012", today: testToday)
            == "birth date 2027-01-01 (positions 7-14) is in the future")
        #expect(ResidentIDNumber.isValid("220102202701010012", today: CalendarDate("2027-01-01")!))
        #expect(ResidentIDNumber.problem(with: "220102199002300016", today: testToday)
            == "birth date 19900230 (positions 7-14) is not a real date")
        #expect(ResidentIDNumber.problem(with: "220102189912310011", today: testToday)
            == "birth date 1899-12-31 (positions 7-14) is before 1900")
        #expect(ResidentIDNumber.birthDate(in: "220621197903082519") == CalendarDate("1979-03-08"))
    }

    @Test func shapeProblems() {
        #expect(ResidentIDNumber.problem(with: "", today: testToday) == "is empty")
        #expect(ResidentIDNumber.problem(with: "110101900307803", today: testToday)?.contains("old 15-digit") == true)
        #expect(ResidentIDNumber.problem(with: "22062119790308251", today: testToday) == "must be 18 characters, got 17")
        #expect(ResidentIDNumber.problem(with: "2206211979O3082519", today: testToday)
            == "character 'O' at position 11 must be a digit")
        #expect(ResidentIDNumber.problem(with: "22062119790308251Y", today: testToday)
            == "check character 'Y' at position 18 must be a digit or 'X'")
        #expect(ResidentIDNumber.checkCharacter(forFirst17: "2206211979030825") == nil)
        #expect(ResidentIDNumber.checkCharacter(forFirst17: "2206211979030825A") == nil)
    }

    @Test func systemClockOverloads() {
        #expect(ResidentIDNumber.isValid("11010119900307803X"))
        #expect(ResidentIDNumber.problem(with: "11010119900307803X") == nil)
    }
}
