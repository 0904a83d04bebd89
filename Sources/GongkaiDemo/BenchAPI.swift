import AsyncHTTPClient
import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiServer
import GongkaiService
import GongkaiSimulators
import GongkaiStore
import GongkaiSync
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// `gongkai bench --phase api`: `POST /v1/items` through a real server on 127.0.0.1
/// while an engine delivers in the same process, beside the bare store submit rate.
extension Bench {
    static func apiPhase(
        options: Options, channels: [ChannelDefinition], environment: [String: String], logger: Logger
    ) async throws {
        let singles = 2_000
        let batchItems = 5_000
        let pool = SampleDisclosures.generated(count: singles + 2 * batchItems, seed: 3)
        let encoder = JSONEncoder()
        let singleBodies = try pool[0..<singles].map { try encoder.encode($0) }
        let batchBodies = try Array(pool[singles..<(singles + batchItems)]).chunked(100).map { try encoder.encode($0) }
        let bareItems = Array(pool[(singles + batchItems)...])

        try await withWorkspace(options) { run in
            let console = OutboxConsole(store: run.store, channels: channels, actor: "bench")
            let tokens = try TokenAuthority(outbox: run.store)
            let (token, _) = try await tokens.create(name: "bench", role: .submit, actor: "bench")
            let server = GongkaiServer(console: console, tokens: tokens, logger: logger, readiness: {})
            let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
            let app = try server.application(address: "127.0.0.1", port: 0, onRunning: { portContinuation.yield($0) })
            let group = ServiceGroup(services: [app], logger: logger)
            let engine = try engine(store: run.store, channels: channels, environment: environment, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask { try await engine.run() }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { throw CancellationError() }
                let url = "http://127.0.0.1:\(port)/v1/items"
                @Sendable func post(_ body: Data) async throws -> Duration {
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    request.headers.add(name: "Authorization", value: "Bearer \(token)")
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(ByteBuffer(bytes: body))
                    let start = ContinuousClock.now
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    guard response.status == .created else {
                        throw GongkaiError(.store, "POST /v1/items answered \(response.status.code)")
                    }
                    return ContinuousClock.now - start
                }

                // Open loop at 200 requests/s: each request leaves at its time, whatever the last one did.
                let start = ContinuousClock.now
                let latencies = try await withThrowingTaskGroup(of: Duration.self) { requests in
                    for (index, body) in singleBodies.enumerated() {
                        try await Task.sleep(until: start + .milliseconds(5 * index), clock: .continuous)
                        requests.addTask { try await post(body) }
                    }
                    var all: [Duration] = []
                    for try await latency in requests { all.append(latency) }
                    return all.sorted()
                }
                let elapsed = (ContinuousClock.now - start).seconds
                func percentile(_ p: Double) -> String {
                    String(format: "%.1f", latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))].seconds * 1000)
                }
                print(line("api single", "p99 \(percentile(0.99)) ms", "(\(singles) POSTs of one item at 200/s, \(rate(Double(singles) / elapsed))/s achieved; p50 \(percentile(0.5)) ms, max \(percentile(1.0)) ms; engine delivering)"))

                // Batches of 100, four clients at a time.
                let batchStart = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { requests in
                    var pending = batchBodies.makeIterator()
                    for _ in 0..<4 { if let body = pending.next() { requests.addTask { _ = try await post(body) } } }
                    while try await requests.next() != nil {
                        if let body = pending.next() { requests.addTask { _ = try await post(body) } }
                    }
                }
                let batchRate = Double(batchItems) / (ContinuousClock.now - batchStart).seconds
                print(line("api batches", "\(rate(batchRate)) items/s", "(\(batchItems) items in POSTs of 100, 4 at a time; engine delivering)"))

                // The same use case without HTTP, for the ratio.
                let bareStart = ContinuousClock.now
                for batch in bareItems.chunked(100) { _ = try await console.submit(batch) }
                let bareRate = Double(bareItems.count) / (ContinuousClock.now - bareStart).seconds
                print(line("store submit", "\(rate(bareRate)) items/s", "(\(bareItems.count) items in batches of 100, no HTTP; engine delivering)"))
                print(line("  ratio", String(format: "%.2f", batchRate / bareRate), "(API batches ÷ store submit, same run)"))

                engine.stop()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
