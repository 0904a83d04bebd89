import GongkaiAudit
import GongkaiService
import GongkaiDemo
import Testing

/// The README's first command, in-process: every platform kind gets the
/// sample set, the reconciliation finds every listable channel in sync, and
/// no unmasked ID number is in anything a public simulator holds.
@Suite("Demo")
struct DemoTests {
    @Test func theDemoConvergesOnEveryPlatformWithoutLeakingAnIDNumber() async throws {
        #expect(try await Demo.run(timeoutSeconds: 90, keep: false))
    }
}
