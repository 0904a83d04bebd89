import Foundation
import GongkaiAudit
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
