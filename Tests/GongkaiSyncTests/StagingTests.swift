import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiDemo
import Logging
import Testing

/// `gongkai simulate`'s pieces in-process: the fault profile it reads and the
/// channel files it writes, which must load and build an adapter per kind
/// with nothing but the files (their secrets are `file:` references).
@Suite("Staging")
struct StagingTests {
    @Test func theFaultProfileReadsEveryNameAndRefusesTheRest() throws {
        let faults = try StagingFaults(parsing: "drop=0.05, slow=0.1,error=0.2,throttle=0.01,slowDelay=3s,seed=9")
        #expect(faults.dropRate == 0.05 && faults.slowRate == 0.1 && faults.errorRate == 0.2 && faults.throttleRate == 0.01)
        #expect(faults.slowDelayMillis == 3_000 && faults.seed == 9)
        #expect(try StagingFaults(parsing: "none").isNone)
        #expect(try StagingFaults(parsing: "").isNone)
        for (text, words) in [
            ("drop=0.1,explode=1", "unknown fault \"explode\""), ("drop", "needs a value"), ("drop=1.5", "from 0 to 1"),
            ("drop=0.6,error=0.6", "more than 1"), ("slowDelay=fast", "slowDelay"), ("drop=0.1,drop=0.2", "twice"),
            ("seed=-1", "seed"),
        ] {
            let error = #expect(throws: GongkaiError.self, "\(text)") { try StagingFaults(parsing: text) }
            #expect(error?.field == "faults" && error?.message.contains(words) == true, "\(text): \(String(describing: error))")
        }
    }

    @Test func kindsAreReadByNameAndAnUnknownOneIsNamed() throws {
        #expect(try Staging.kinds(parsing: "portal, wechat,portal") == [.portal, .wechat])
        let error = #expect(throws: GongkaiError.self) { try Staging.kinds(parsing: "portal,fax") }
        #expect(error?.field == "kinds" && error?.message.contains("\"fax\"") == true)
    }

    @Test func theWrittenChannelFilesLoadAndBuildEveryAdapter() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-staging-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "staging", factory: { _ in SwiftLogNoOpLogHandler() })
        let staging = try await Staging.start(
            kinds: Staging.allKinds, faults: try StagingFaults(parsing: "drop=0.1"), directory: directory.path, force: false,
            logger: logger)
        let definitions: [ChannelDefinition]
        do {
            definitions = try ChannelFileLoader.load(directory: directory.path)
            // No environment at all: every secret comes from the files the channel files name.
            let adapters = try await ChannelAdapterFactory.makeAll(definitions, environment: [:])
            #expect(adapters.count == Staging.allKinds.count)
            for (_, adapter) in adapters { await adapter.shutdown() }
        } catch {
            await staging.stop()
            throw error
        }
        #expect(Set(definitions.map(\.kind)) == Set(Staging.allKinds))
        #expect(definitions.first { $0.kind == .portal }?.isCanonical == true)
        for simulator in staging.listing.simulators {
            let definition = try #require(definitions.first { $0.id == simulator.channel })
            #expect(definition.endpoint == simulator.url)
            #expect(Set(definition.credentials.keys) == Set(simulator.credentials.keys))
        }

        // A second run into the same directory is refused without --force and allowed with it.
        await #expect(throws: GongkaiError.self) {
            _ = try await Staging.start(
                kinds: [.webhook], faults: StagingFaults(), directory: directory.path, force: false, logger: logger)
        }
        let again = try await Staging.start(
            kinds: [.webhook], faults: StagingFaults(), directory: directory.path, force: true, logger: logger)
        #expect(try ChannelFileLoader.load(directory: directory.path).first { $0.kind == .webhook }?.endpoint
            == again.listing.simulators[0].url)
        await again.stop()
        await staging.stop()
    }
}
