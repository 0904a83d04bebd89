import Foundation
import GongkaiAudit
import GongkaiCore
import GongkaiService
import GongkaiDemo
import Testing
import GongkaiStore

/// Every setting is documented where operators look first: the shipped
/// settings file names its key, environment variable and option, and the
/// file itself resolves without error.
@Suite("Shipped settings file")
struct SettingsFileTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/gongkai.yaml").path

    @Test func namesEverySettingsKeyEnvironmentVariableAndOption() throws {
        let text = try String(contentsOfFile: Self.shipped, encoding: .utf8)
        for key in GongkaiSettings.keys {
            #expect(text.contains(key.file), "\(key.file) is not in deploy/gongkai.yaml")
            #expect(text.contains(key.environment), "\(key.environment) is not in deploy/gongkai.yaml")
            #expect(text.contains(key.option), "\(key.option) is not in deploy/gongkai.yaml")
        }
    }

    @Test func resolvesAsShipped() throws {
        let settings = try GongkaiSettings.resolve(options: [:], configPath: Self.shipped, environment: [:])
        #expect(settings.database == "/var/lib/gongkai/outbox.sqlite")
        #expect(settings.databaseOptions.poolSize == 10)
        #expect(settings.databaseOptions.statementTimeout == 30_000)
    }
}

/// 索引号 formats per publisher (issue 11 §1): set in the file, the environment or an option.
@Suite("Index number formats")
struct IndexNumberFormatSettingsTests {
    static let yaml = """
        indexNumberFormats:
          "12220000MB1527918M": '01527918X-[0-9]{4}-[0-9]{6}'
          吉林省林业和草原局: 'JLLC-[0-9]{4}-[0-9]+'
        """

    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aPublishersOwnFormatIsAcceptedAndOthersKeepTheNationalShape() async throws {
        let path = try Self.file(Self.yaml)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let settings = try GongkaiSettings.resolve(options: [:], configPath: path, environment: [:])
        #expect(settings.indexNumberFormats.byPublisher.count == 2)
        let database = path + ".sqlite"
        defer { try? FileManager.default.removeItem(atPath: database) }
        let store = try SQLiteOutboxStore(path: database)
        let console = try OutboxConsole(settings, store: store, channels: [], actor: "test")

        var own = SampleDisclosures.notice
        own.publisher = .init(name: "吉林省某事业单位", code: "12220000MB1527918M")
        own.indexNumber = "01527918X-2020-153077"
        // Before this change every publisher was held to the national shape and this was refused.
        #expect(throws: Never.self) { _ = try console.prepare(Array(try JSONEncoder().encode(own))) }

        var national = own
        national.indexNumber = "000014349/2018-00222"
        do {
            _ = try console.prepare(Array(try JSONEncoder().encode(national)))
            Issue.record("a number off the publisher's own format was accepted")
        } catch let error as GongkaiError {
            #expect(error.field == "indexNumber")
            #expect(error.message.contains("01527918X-[0-9]{4}-[0-9]{6}"))
        }

        var byName = SampleDisclosures.notice
        byName.publisher = .init(name: "吉林省林业和草原局")
        byName.indexNumber = "JLLC-2026-7"
        #expect(throws: Never.self) { _ = try console.prepare(Array(try JSONEncoder().encode(byName))) }

        var other = SampleDisclosures.notice
        other.indexNumber = "01527918X-2020-153077"
        do {
            _ = try console.prepare(Array(try JSONEncoder().encode(other)))
            Issue.record("a publisher without a format of its own took another shape")
        } catch let error as GongkaiError {
            #expect(error.field == "indexNumber")
        }
    }

    @Test func theEnvironmentTakesAJSONObjectAndABadPatternIsRefusedByName() throws {
        let settings = try GongkaiSettings.resolve(
            options: [:], configPath: nil, environment: ["GONGKAI_INDEX_NUMBER_FORMATS": #"{"X": "A-[0-9]+"}"#])
        #expect(settings.indexNumberFormats.byPublisher["X"]?.matches("A-12") == true)
        #expect(settings.indexNumberFormats.byPublisher["X"]?.matches("A-12x") == false)
        do {
            _ = try GongkaiSettings.resolve(
                options: ["indexNumberFormats": #"{"X": "A-[0-9"}"#], configPath: nil, environment: [:])
            Issue.record("a broken regular expression was accepted")
        } catch {
            #expect(error.field == "indexNumberFormats.X")
        }
        #expect(throws: GongkaiError.self) {
            _ = try GongkaiSettings.resolve(options: ["indexNumberFormats": "not json"], configPath: nil, environment: [:])
        }
    }
}
