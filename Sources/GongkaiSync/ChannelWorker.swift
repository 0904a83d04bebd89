import GongkaiChannels
import GongkaiCore
import GongkaiStore
import Logging
import NIOCore
import Synchronization

/// Sends one channel's due deliveries: claim under a lease → send → record,
/// within the channel's concurrency, rate limit and circuit breaker.
///
/// Claims and acknowledgements are batched, because the store's single
/// writer, not HTTP, is what limits throughput on small machines. Delivery
/// state is never kept only here: a claimed row is `sending` in the store,
/// and if this process dies its lease expires and another worker takes it.
final class ChannelWorker: Sendable {
    let runtime: ChannelRuntime
    let store: any OutboxStore
    let configuration: EngineConfiguration
    let clock: any WallClock
    let logger: Logger
    let onRecorded: DeliveryEngine.Observer?
    private let completed = Mutex<[SendOutcome]>([])
    private let stopping = Atomic<Bool>(false)
    private let wake: AsyncStream<Void>.Continuation
    private let wakeups: AsyncStream<Void>

    init(
        runtime: ChannelRuntime, store: any OutboxStore, configuration: EngineConfiguration, clock: any WallClock,
        logger: Logger, onRecorded: DeliveryEngine.Observer?
    ) {
        self.onRecorded = onRecorded
        self.runtime = runtime
        self.store = store
        self.configuration = configuration
        self.clock = clock
        var logger = logger
        logger[metadataKey: "channel"] = .string(runtime.definition.id)
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Wakes the loop early (new work submitted in this process, or shutdown).
    func nudge() { wake.yield() }

    /// Stops claiming; in-flight sends finish and are recorded, then ``run()`` returns.
    func stop() {
        stopping.store(true, ordering: .releasing)
        wake.yield()
    }

    func run() async {
        let definition = runtime.definition
        let lease = configuration.lease(forTimeout: definition.timeout)
        // A batch platform takes whole batches: claim up to one batch at a time, and
        // count the concurrency in records so one batch can always be in flight.
        let batchSize = max(1, runtime.adapter.batchSize)
        let claimLimit = max(configuration.claimBatch, batchSize)
        let concurrency = max(definition.concurrency, batchSize)
        var breaker = definition.breaker
        var bucket = definition.rateLimit
        var inFlight = 0
        var acks: [SendOutcome] = []
        var oldestAck: Int64 = 0
        var paused = false
        var pauseCheckedAt: Int64 = 0
        var iterator = wakeups.makeAsyncIterator()

        await withDiscardingTaskGroup { group in
            while true {
                let done = completed.withLock { finished -> [SendOutcome] in
                    defer { finished.removeAll(keepingCapacity: true) }
                    return finished
                }
                var now = clock.now()
                if !done.isEmpty {
                    inFlight -= done.count
                    if acks.isEmpty { oldestAck = now }
                    acks.append(contentsOf: done)
                    for outcome in done { record(outcome, in: &breaker, now: now) }
                }
                let stop = stopping.load(ordering: .acquiring)
                let capacity = concurrency - inFlight
                // Write acknowledgements in batches, but never let one wait long or block a claim.
                if !acks.isEmpty
                    && (stop || inFlight * 2 < concurrency || acks.count >= configuration.claimBatch
                        || now - oldestAck >= configuration.ackDelay)
                {
                    if await flush(&acks) { now = clock.now() } else { await pause(250) }
                }
                if stop {
                    if inFlight == 0 && acks.isEmpty { break }
                    await iterator.next()
                    continue
                }
                if now - pauseCheckedAt >= configuration.pollInterval {
                    pauseCheckedAt = now
                    if let pauses = try? await store.channelPauses() {
                        paused = pauses.contains { $0.channelID == definition.id && $0.paused }
                    }
                }
                var wakeAt = now + configuration.pollInterval
                var claimedAny = false
                if !paused && capacity > 0 && (inFlight == 0 || capacity * 4 >= concurrency) {
                    var probe = breaker
                    if probe.permit(now: now) {
                        // Half-open lets one probe through; claim one delivery for it.
                        let probing = probe.isHalfOpenState
                        var tokens = bucket
                        let allowed = min(tokens.take(min(capacity, claimLimit), now: now), probing ? 1 : .max)
                        if allowed > 0 {
                            let claimed = await claim(limit: allowed, lease: lease, now: now)
                            if !claimed.isEmpty {
                                breaker = probe
                                _ = bucket.take(claimed.count, now: now)
                                claimedAny = claimed.count == allowed && !probing
                                inFlight += claimed.count
                                if batchSize > 1 {
                                    for start in stride(from: 0, to: claimed.count, by: batchSize) {
                                        let batch = Array(claimed[start..<min(start + batchSize, claimed.count)])
                                        group.addTask { await self.sendBatch(batch) }
                                    }
                                } else {
                                    for delivery in claimed {
                                        group.addTask { await self.send(delivery) }
                                    }
                                }
                            } else if inFlight == 0, let due = try? await store.nextDue(channelID: definition.id) {
                                wakeAt = min(wakeAt, max(due, now + 1))
                            }
                        } else {
                            wakeAt = min(wakeAt, now + max(1, min(bucket.waitTime(for: 1, now: now), configuration.pollInterval)))
                        }
                    } else if let retryAt = breaker.retryAt(now: now) {
                        wakeAt = min(wakeAt, retryAt)
                    }
                }
                if claimedAny { continue }
                if !acks.isEmpty { wakeAt = min(wakeAt, oldestAck + configuration.ackDelay) }
                await waitForWake(until: wakeAt, iterator: &iterator)
            }
        }
        do {
            let released = try await store.release(owner: configuration.workerID, deliveryIDs: nil, now: clock.now())
            if released > 0 { logger.info("released unsent leases", metadata: ["count": "\(released)"]) }
        } catch {
            logger.error("could not release leases; they will expire", metadata: ["error": "\(error)"])
        }
    }

    private func claim(limit: Int, lease: Int64, now: Int64) async -> [ClaimedDelivery] {
        do {
            return try await store.claim(
                channelID: runtime.definition.id, audience: runtime.definition.audience,
                owner: configuration.workerID, limit: limit, leaseMillis: lease, now: now)
        } catch {
            logger.error("claim failed", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// Writes acknowledgements; on a store error keeps them for the next try (never drops one).
    private func flush(_ acks: inout [SendOutcome]) async -> Bool {
        do {
            try await store.complete(acks, owner: configuration.workerID, now: clock.now())
            onRecorded?(runtime.definition.id, acks)
            acks.removeAll(keepingCapacity: true)
            return true
        } catch {
            logger.error("recording delivery results failed; will retry", metadata: ["error": "\(error)", "count": "\(acks.count)"])
            return false
        }
    }

    private func record(_ outcome: SendOutcome, in breaker: inout CircuitBreaker, now: Int64) {
        switch outcome.result {
        case .delivered, .inProgress:
            breaker.recordSuccess(now: now)
        case .failed(let failure):
            let error = DeliveryError(failure, httpStatus: outcome.httpStatus)
            if error.indicatesOutage {
                let wasOpen = breaker.isOpen
                breaker.recordFailure(now: now)
                if breaker.isOpen && !wasOpen {
                    logger.warning("circuit opened: channel looks down", metadata: ["error": "\(failure.message)"])
                }
            } else {
                // The platform answered (a refusal, a 429): it is up, even if it did not take this item.
                breaker.recordSuccess(now: now)
            }
        }
    }

    private func request(for delivery: ClaimedDelivery) -> DeliveryRequest {
        DeliveryRequest(
            itemID: delivery.record.itemID, version: delivery.version, channelID: runtime.definition.id,
            operation: delivery.operation, contentHash: delivery.contentHash, document: delivery.document,
            withdrawReason: delivery.withdrawReason, remoteID: delivery.record.remoteID,
            canonicalURL: delivery.canonicalURL)
    }

    private func send(_ delivery: ClaimedDelivery) async {
        let request = request(for: delivery)
        let startedAt = clock.now()
        let started = ContinuousClock.now
        let result: Result<DeliveryReceipt, DeliveryError>
        do {
            result = .success(
                try await runtime.adapter.deliver(request, deadline: .now() + .milliseconds(runtime.definition.timeout)))
        } catch {
            result = .failure(error)
        }
        finish([(delivery, result)], startedAt: startedAt, elapsed: ContinuousClock.now - started)
    }

    /// One platform request for several deliveries (the credit feed); each still gets its own outcome.
    private func sendBatch(_ deliveries: [ClaimedDelivery]) async {
        let startedAt = clock.now()
        let started = ContinuousClock.now
        var results = await runtime.adapter.deliverBatch(
            deliveries.map(request(for:)), deadline: .now() + .milliseconds(runtime.definition.timeout))
        if results.count != deliveries.count {
            // An adapter bug must not lose or mis-assign a result: every delivery in the batch retries.
            let failure = DeliveryError(
                SendFailure(permanent: false, message: "adapter returned \(results.count) results for \(deliveries.count) records"),
                channelID: runtime.definition.id)
            results = Array(repeating: .failure(failure), count: deliveries.count)
        }
        finish(Array(zip(deliveries, results)), startedAt: startedAt, elapsed: ContinuousClock.now - started)
    }

    private func finish(
        _ sends: [(ClaimedDelivery, Result<DeliveryReceipt, DeliveryError>)], startedAt: Int64, elapsed: Duration
    ) {
        let definition = runtime.definition
        let canWithdraw = runtime.adapter.capabilities.contains(.withdraw)
        let durationMillis = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let outcomes = sends.map { delivery, result -> SendOutcome in
            let outcome: SendOutcome.Result
            var status: Int?
            switch result {
            case .success(let receipt):
                status = receipt.httpStatus
                if let checkAfter = receipt.checkAfter, let remoteID = receipt.remoteID {
                    outcome = .inProgress(remoteID: remoteID, checkAfter: checkAfter)
                } else {
                    outcome = .delivered(remoteID: receipt.remoteID, remoteURL: receipt.remoteURL)
                }
            case .failure(let error):
                status = error.httpStatus
                outcome = .failed(error.failure)
                logger.debug(
                    "send failed",
                    metadata: [
                        "item": "\(delivery.record.itemID)", "version": "\(delivery.version)",
                        "error": "\(error.failure.message)",
                    ])
            }
            return SendOutcome(
                deliveryID: delivery.record.id, itemID: delivery.record.itemID, channelID: delivery.record.channelID,
                operation: delivery.operation, version: delivery.version, result: outcome, httpStatus: status,
                startedAt: startedAt, durationMillis: durationMillis, trigger: delivery.trigger,
                schedule: definition.retry, randomUnit: Double.random(in: 0..<1), canWithdraw: canWithdraw,
                setsCanonicalURL: definition.isCanonical)
        }
        completed.withLock { $0.append(contentsOf: outcomes) }
        wake.yield()
    }

    private func waitForWake(until wakeAt: Int64, iterator: inout AsyncStream<Void>.Iterator) async {
        let delay = wakeAt - clock.now()
        guard delay > 0 else { return }
        let timer = Task { [wake] in
            // Only a timer that ran out may wake the loop; a cancelled one must not leave a stale wake-up.
            guard (try? await Task.sleep(for: .milliseconds(delay))) != nil else { return }
            wake.yield()
        }
        await iterator.next()
        timer.cancel()
    }

    private func pause(_ millis: Int64) async {
        try? await Task.sleep(for: .milliseconds(millis))
    }
}

extension CircuitBreaker {
    /// Half-open lets a single probe through, so the worker claims one delivery at a time.
    var isHalfOpenState: Bool {
        if case .halfOpen = state { return true }
        return false
    }
}
