import Foundation
import GongkaiChannels
import NIOHTTP1
import ServiceLifecycle
import GongkaiAudit
import GongkaiCore
import GongkaiServer
import GongkaiService
import GongkaiStore
import GongkaiStoreContract
import Testing

/// The operator's bulk and platform-facing routes: recover, channel test, reconcile.
@Suite("HTTP API v1: recover, test, reconcile")
struct APIOperationsTests {
    /// One dead delivery on the harness's channel: submitted, claimed, failed for good.
    static func deadLetter(_ api: APIHarness) async throws -> String {
        let item = SampleDisclosures.notice
        _ = try await api.store.submit(
            [PreparedItem(item)], routes: [APIHarness.channel.route], actor: "test", now: 1_000)
        let claimed = try await api.store.claim(
            channelID: "hook", audience: .public, owner: "w", limit: 10, leaseMillis: 5_000, now: 1_000)
        try await api.store.complete(
            claimed.map { StoreFixtures.failure($0, at: 1_000, permanent: true, status: 422) }, owner: "w", now: 1_010)
        return item.id
    }

    @Test func recoverRequeuesDeadLettersForOperatorsOnly() async throws {
        let api = try await APIHarness()
        let (ops, _) = try await api.tokens.create(name: "ops", role: .operate, actor: "test")
        let (reader, _) = try await api.tokens.create(name: "auditor", role: .read, actor: "test")
        let id = try await Self.deadLetter(api)
        let readerRefused = try await api.call(.POST, "/v1/channels/hook/recover", token: reader, json: "{}")
        let badState = try await api.call(.POST, "/v1/channels/hook/recover", token: ops, json: #"{"states":["delivered"]}"#)
        let unknownState = try await api.call(.POST, "/v1/channels/hook/recover", token: ops, json: #"{"states":["zombie"]}"#)
        let badSince = try await api.call(.POST, "/v1/channels/hook/recover", token: ops, json: #"{"since":"yesterday-ish"}"#)
        let unknownChannel = try await api.call(.POST, "/v1/channels/nope/recover", token: ops, json: "{}")
        let stillDead = try await api.store.deliveries(DeliveryFilter(itemID: id)).map(\.state)
        let recovered = try await api.call(.POST, "/v1/channels/hook/recover", token: ops, body: [])
        let again = try await api.call(.POST, "/v1/channels/hook/recover", token: ops, json: #"{"states":["dead"]}"#)
        let after = try await api.store.deliveries(DeliveryFilter(itemID: id)).map(\.state)
        let audit = try await api.store.auditLog(itemID: nil, limit: 20)
        await api.stop()

        #expect(readerRefused.status == 403)
        #expect(badState.status == 422)
        #expect(badState.object["field"] as? String == "state")
        #expect(unknownState.status == 422)
        #expect(unknownState.object["field"] as? String == "states")
        #expect(badSince.status == 422)
        #expect(badSince.object["field"] as? String == "since")
        #expect(unknownChannel.status == 404)
        // Nothing changed on any of those refusals.
        #expect(stillDead == [.dead])
        #expect(recovered.status == 200)
        #expect(recovered.object["requeued"] as? Int == 1)
        #expect(recovered.object["channel"] as? String == "hook")
        #expect(again.object["requeued"] as? Int == 0)
        #expect(after == [.pending])
        #expect(audit.contains { $0.actor == "api:ops" && $0.action.contains("recover") })
    }

    @Test func channelTestSaysWhatItFoundAndNeverTheSecret() async throws {
        let api = try await APIHarness()
        let (ops, _) = try await api.tokens.create(name: "ops", role: .operate, actor: "test")
        let (reader, _) = try await api.tokens.create(name: "auditor", role: .read, actor: "test")
        let tested = try await api.call(.POST, "/v1/channels/hook/test", token: ops)
        let readerRefused = try await api.call(.POST, "/v1/channels/hook/test", token: reader)
        let unknown = try await api.call(.POST, "/v1/channels/nope/test", token: ops)
        await api.stop()

        #expect(tested.status == 200, "\(String(decoding: tested.body, as: UTF8.self))")
        let checks = try #require(tested.json as? [[String: Any]])
        #expect(checks.first?["name"] as? String == "configuration")
        #expect(checks.first?["passed"] as? Bool == true)
        // Port 9 on loopback answers nothing: the reachability check fails, and says so.
        #expect(checks.contains { $0["passed"] as? Bool == false })
        #expect(!String(decoding: tested.body, as: UTF8.self).contains("c2VjcmV0LWZvci10ZXN0cy0wMTIzNDU2Nzg5YWI"))
        #expect(readerRefused.status == 403)
        #expect(unknown.status == 404)
    }

    @Test func reconcileRunsInTheBackgroundAndReportsItsStatus() async throws {
        let api = try await APIHarness()
        let (ops, _) = try await api.tokens.create(name: "ops", role: .operate, actor: "test")
        let (reader, _) = try await api.tokens.create(name: "auditor", role: .read, actor: "test")
        _ = try await Self.deadLetter(api)
        let readerRefused = try await api.call(.POST, "/v1/reconcile", token: reader, body: [])
        let unknownChannel = try await api.call(.POST, "/v1/reconcile", token: ops, json: #"{"channel":"nope"}"#)
        let wrongType = try await api.call(.POST, "/v1/reconcile", token: ops, json: #"{"repair":"yes"}"#)
        let started = try await api.call(.POST, "/v1/reconcile", token: ops, body: [])
        let id = try #require(started.object["id"] as? String)
        let finished = await api.reconciliations.completion(of: id)
        let status = try await api.call(.GET, "/v1/reconcile/runs/\(id)", token: reader)
        let last = try await api.call(.GET, "/v1/reconcile/last", token: reader)
        let unknownRun = try await api.call(.GET, "/v1/reconcile/runs/rc-nothing", token: reader)
        await api.stop()

        #expect(readerRefused.status == 403)
        #expect(unknownChannel.status == 404)
        #expect(wrongType.status == 422)
        #expect(wrongType.object["field"] as? String == "repair")
        #expect(started.status == 202)
        #expect(started.object["state"] as? String == "queued")
        #expect(started.object["requestedBy"] as? String == "api:ops")
        #expect(finished?.state == .finished, "\(finished?.error ?? "")")
        #expect(status.status == 200)
        #expect(status.object["state"] as? String == "finished")
        #expect(status.object["repair"] as? Bool == false)
        #expect(status.object["auditFailed"] is Bool)
        #expect((status.object["finishedAt"] as? String)?.hasSuffix("+08:00") == true)
        #expect((status.object["report"] as? [String: Any])?["channels"] is [Any])
        // A full run keeps its report as the last, as `gongkai reconcile` does.
        #expect(last.status == 200)
        #expect(unknownRun.status == 404)
        #expect(unknownRun.object["field"] as? String == "id")
    }

    @Test func oneReconciliationAtATime() async throws {
        let gate = AsyncStream.makeStream(of: Void.self)
        let requests = ReconcileRequests { _, _, _ in
            for await _ in gate.stream { break }
            return ReconcileReport(startedAt: 0, finishedAt: 1, channels: [], rows: [], repaired: false)
        }
        let first = try await requests.start(channel: nil, repair: false, actor: "a")
        await #expect(throws: GongkaiError.self) { try await requests.start(channel: nil, repair: true, actor: "b") }
        let worker = Task { try await requests.service.run() }
        gate.continuation.yield()
        let done = await requests.completion(of: first.id)
        let second = try await requests.start(channel: "hook", repair: true, actor: "b")
        worker.cancel()
        gate.continuation.finish()
        _ = try? await worker.value
        #expect(done?.state == .finished)
        #expect(second.state == .queued)
    }
}
