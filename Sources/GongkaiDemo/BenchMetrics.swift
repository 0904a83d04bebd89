import AsyncHTTPClient
import Foundation
import GongkaiChannels
import GongkaiCore
import GongkaiMonitoring
import GongkaiServer
import GongkaiService
import GongkaiStore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// `gongkai bench --phase metrics`: `GET /metrics` over a real server with a
/// million deliveries in the outbox, beside what the background refresh of the
/// store's gauges costs in the same run (the scrape itself never reads the store).
extension Bench {
    static func metricsPhase(
        options: Options, channels: [ChannelDefinition], items: [DisclosureItem], logger: Logger
    ) async throws {
        let rows = options.preload > 0 ? options.preload : 1_000_000
        try await withWorkspace(options) { run in
            guard let filler = run.store as? any OutboxPreloading else { return }
            let fillStart = ContinuousClock.now
            let perChannel = max(1, rows / max(1, channels.count))
            try await filler.preloadDelivered(items: perChannel, channelIDs: channels.map(\.id), now: SystemWallClock().now())
            // Some unfinished work too, so the deadline tally has rows to walk.
            let console = OutboxConsole(
                store: run.store, channels: channels, actor: "bench", calendar: try WorkCalendar.standard())
            for batch in Array(items.prefix(5_000)).chunked(500) { _ = try await console.submit(batch) }
            let fillSeconds = (ContinuousClock.now - fillStart).seconds
            let total = perChannel * channels.count + min(items.count, 5_000) * channels.count

            let metrics = GongkaiMetrics()
            let gauges = OutboxGauges(
                store: run.store, channelIDs: channels.map(\.id), calendar: console.calendar, policy: console.deadlines,
                lastReportPath: nil, factory: metrics.factory, logger: logger)
            let queuesMillis = try await gauges.refreshQueues()
            let countsMillis = try await gauges.refreshCounts()

            let tokens = try TokenAuthority(outbox: run.store)
            var server = GongkaiServer(console: console, tokens: tokens, logger: logger, readiness: {})
            server.metrics = metrics
            let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
            let app = try server.application(address: "127.0.0.1", port: 0, onRunning: { portContinuation.yield($0) })
            let group = ServiceGroup(services: [app], logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { throw CancellationError() }
                let url = "http://127.0.0.1:\(port)/metrics"
                @Sendable func scrape() async throws -> (Duration, Int) {
                    let start = ContinuousClock.now
                    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
                    let body = try await response.body.collect(upTo: 16 << 20)
                    guard response.status == .ok else {
                        throw GongkaiError(.store, "GET /metrics answered \(response.status.code)")
                    }
                    return (ContinuousClock.now - start, body.readableBytes)
                }
                func percentiles(_ samples: [Duration]) -> (p50: String, p99: String, max: String) {
                    let sorted = samples.sorted()
                    func at(_ p: Double) -> String {
                        String(format: "%.1f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))].seconds * 1000)
                    }
                    return (at(0.5), at(0.99), at(1.0))
                }

                // Scrapes one after another, as Prometheus does per target.
                let scrapes = 200
                var quiet: [Duration] = []
                var bytes = 0
                let cpuStart = MachineInfo.cpuSeconds()
                for _ in 0..<scrapes {
                    let (took, size) = try await scrape()
                    quiet.append(took)
                    bytes = size
                }
                let cpuPerScrape = (MachineInfo.cpuSeconds() - cpuStart) / Double(scrapes)
                let q = percentiles(quiet)
                print(line("metrics scrape", "p99 \(q.p99) ms", "(\(scrapes) GET /metrics, \(total) deliveries in the store, filled in \(format(fillSeconds)) s; p50 \(q.p50) ms, max \(q.max) ms, \(bytes) bytes, \(micros(cpuPerScrape)) µs CPU/scrape)"))

                // The same while the count gauges are refreshed from the store beside it.
                var busy: [Duration] = []
                let refreshing = Task { () -> Int64 in
                    var longest: Int64 = 0
                    for _ in 0..<3 { longest = max(longest, try await gauges.refreshCounts()) }
                    return longest
                }
                while busy.count < scrapes {
                    busy.append(try await scrape().0)
                }
                let refreshMillis = try await refreshing.value
                let b = percentiles(busy)
                print(line("  refreshing", "p99 \(b.p99) ms", "(\(scrapes) scrapes while the store's count gauges were refreshed; p50 \(b.p50) ms)"))
                print(line("gauge refresh", "\(countsMillis) ms counts", "(state counts + deadline tally over the store, every 30 s or 20× its cost in the background; queues \(queuesMillis) ms every 5 s; \(refreshMillis) ms under scrapes)"))

                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
