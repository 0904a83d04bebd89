import Testing

@testable import GongkaiCore

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("250ms", Int64(250)),
        ("5s", 5_000),
        ("5m", 300_000),
        ("2h", 7_200_000),
        ("1d", 86_400_000),
        ("1h30m", 5_400_000),
        ("1d2h3m4s5ms", 93_784_005),
        ("30", 30_000),
        ("0", 0),
        ("  5s ", 5_000),
    ])
    func parses(text: String, expected: Int64) throws {
        #expect(try DurationText.milliseconds(text) == expected)
    }

    @Test(arguments: ["", "   ", "-5s", "-1", "5x", "5S", "1.5s", "h", "1h30", "30m1h", "5m5m", "1h 30m", "+5s",
                      "99999999999999999999s", "106751991168d"])
    func rejects(text: String) {
        let error = #expect(throws: GongkaiError.self) { try DurationText.milliseconds(text) }
        #expect(error?.code == .invalidField)
        #expect(error?.field == nil)
    }

    @Test(arguments: [
        (Int64(5_000), "5s"), (300_000, "5m"), (7_200_000, "2h"), (5_400_000, "1h30m"), (250, "250ms"),
        (0, "0s"), (86_400_000, "1d"), (1_500, "1s500ms"), (-5_000, "-5s"),
    ])
    func formats(ms: Int64, expected: String) {
        #expect(DurationText.format(ms) == expected)
    }

    @Test func roundTripsFromMilliseconds() throws {
        let values: [Int64] = [0, 1, 999, 1_000, 59_999, 60_000, 3_599_999, 36_000_000, 93_784_005, 1 << 40]
        for value in values {
            #expect(try DurationText.milliseconds(DurationText.format(value)) == value)
        }
    }

    @Test(arguments: ["250ms", "5s", "5m", "2h", "1d", "1h30m", "2d12h"])
    func roundTripsFromText(text: String) throws {
        #expect(DurationText.format(try DurationText.milliseconds(text)) == text)
    }

    @Test func formatsExtremesWithoutTrapping() {
        #expect(DurationText.format(.min).hasPrefix("-"))
        #expect(DurationText.format(.max).hasSuffix("ms"))
    }
}
