import CoreMetrics
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
    let instruments: ChannelInstruments
    let onRecorded: DeliveryEngine.Observer?
    private let completed = Mutex<[SendOutcome]>([])
    private let stopping = Atomic<Bool>(false)
    private let wake: AsyncStream<Void>.Continuation
    private let wakeups: AsyncStream<Void>

    init(
        runtime: ChannelRuntime, store: any OutboxStore, configuration: EngineConfiguration, clock: any WallClock,
        logger: Logger, instruments: ChannelInstruments, onRecorded: DeliveryEngine.Observer?
    ) {
        self.onRecorded = onRecorded
        self.instruments = instruments
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

    var channelID: String { runtime.definition.id }

    /// Stops claiming; in-flight sends finish and are recorded, then ``run()`` returns.
    func stop() {
        stopping.store(true, ordering: .releasing)
        wake.yield()
    }

    func run() async {
        let definition = runtime.definition
        let lease = configuration.leaseMillis
        // A batch platform takes whole batches: claim up to one batch at a time, and
        // count the concurrency in records so one batch can always be in flight.
        let batchSize = max(1, runtime.adapter.batchSize)
        let claimLimit = max(configuration.claimBatch, batchSize)
        let concurrency = max(definition.concurrency, batchSize)
        let prefetch = Self.prefetchLimit(definition: definition, configuration: configuration, batchSize: batchSize)
        var breaker = definition.breaker
        var bucket = definition.rateLimit
        var inFlight = 0
        // Claimed (leased in the store) but not yet sent: lets one transaction claim a large
        // batch while only `concurrency` sends run. Bounded so each lease outlives its wait.
        var queue: [ClaimedDelivery] = []
        var queueStart = 0
        var acks: [SendOutcome] = []
        var oldestAck: Int64 = 0
        // Leased rows being sent; with the queue and the unwritten acks, what this worker renews.
        var sending: Set<Int64> = []
        var nextRenewal = Int64.max
        var paused = false
        var pauseCheckedAt: Int64 = 0
        // A send's answer said the channel itself is unusable (410 Gone): the reason, until the pause is stored.
        var pauseWanted: String?
        // A channel with one sender at a time is sent to only while this worker holds its lease.
        let leases = definition.sendsFromOneDaemon ? store as? any ChannelLeasing : nil
        let channelLease = max(10_000, 4 * configuration.pollInterval)
        var holdsChannel = leases == nil
        var channelCheckedAt: Int64 = 0
        // This worker's breaker as the other daemons see it, and theirs as this one sees it.
        let breakers = store as? any ChannelBreakerSharing
        var sharedOpen = false
        var peerOpenUntil: Int64 = 0
        var shownBreaker: Int64 = 0
        var iterator = wakeups.makeAsyncIterator()

        await withDiscardingTaskGroup { group in
            func startSends() {
                guard queueStart < queue.count else { return }
                var slots = concurrency - inFlight
                if batchSize > 1 {
                    while slots > 0 && queueStart < queue.count {
                        let end = min(queueStart + min(batchSize, slots), queue.count)
                        let batch = Array(queue[queueStart..<end])
                        for delivery in batch { sending.insert(delivery.record.id) }
                        group.addTask { await self.sendBatch(batch) }
                        inFlight += batch.count
                        slots -= batch.count
                        queueStart = end
                    }
                } else {
                    while slots > 0 && queueStart < queue.count {
                        let delivery = queue[queueStart]
                        sending.insert(delivery.record.id)
                        group.addTask { await self.send(delivery) }
                        inFlight += 1
                        slots -= 1
                        queueStart += 1
                    }
                }
                if queueStart == queue.count {
                    queue.removeAll(keepingCapacity: true)
                    queueStart = 0
                }
            }

            func releaseQueue() async {
                guard queueStart < queue.count else { return }
                let ids = queue[queueStart...].map(\.record.id)
                queue.removeAll(keepingCapacity: true)
                queueStart = 0
                do {
                    _ = try await store.release(owner: configuration.workerID, deliveryIDs: ids, now: clock.now())
                } catch {
                    logger.warning(
                        "could not release claimed deliveries; their leases will expire",
                        metadata: ["error": "\(error)", "count": "\(ids.count)"])
                }
            }

            while true {
                let done = completed.withLock { finished -> [SendOutcome] in
                    defer { finished.removeAll(keepingCapacity: true) }
                    return finished
                }
                var now = clock.now()
                if !done.isEmpty {
                    inFlight -= done.count
                    for outcome in done { sending.remove(outcome.deliveryID) }
                    if acks.isEmpty { oldestAck = now }
                    acks.append(contentsOf: done)
                    for outcome in done { record(outcome, in: &breaker, now: now) }
                    if let breakers {
                        if breaker.isOpen && !sharedOpen, let until = breaker.retryAt(now: now) {
                            sharedOpen = (try? await breakers.openBreaker(
                                definition.id, openedBy: configuration.workerID, openUntil: until, now: now)) != nil
                        } else if breaker.isClosed && (sharedOpen || peerOpenUntil > now) {
                            // The platform answered: it is up for everyone.
                            if (try? await breakers.closeBreaker(definition.id)) != nil {
                                sharedOpen = false
                                peerOpenUntil = 0
                            }
                        }
                    }
                }
                if now >= nextRenewal {
                    nextRenewal = await renewLeases(
                        queue[queueStart...].map(\.record.id) + sending + acks.map(\.deliveryID), lease: lease, now: now)
                    now = clock.now()
                }
                if !paused, let reason = done.lazy.compactMap(\.pauseReason).first { pauseWanted = reason }
                if let reason = pauseWanted {
                    // The attempt is in the store before the pause, and the pause before this worker acts on it;
                    // if either write fails, both are tried again on the next turn.
                    var recorded = true
                    if !acks.isEmpty { recorded = await flush(&acks) }
                    if recorded, await pauseChannel(reason: reason) {
                        paused = true
                        pauseCheckedAt = clock.now()
                        pauseWanted = nil
                    }
                    now = clock.now()
                }
                let stop = stopping.load(ordering: .acquiring)
                let peerOpen = peerOpenUntil > now
                let breakerCode = DeliveryMetrics.breakerCode(breaker, peerOpen: peerOpen)
                if breakerCode != shownBreaker {
                    instruments.breaker.record(breakerCode)
                    shownBreaker = breakerCode
                }
                if stop || paused || pauseWanted != nil || breaker.isOpen || !holdsChannel || peerOpen {
                    // Nothing claimed may wait out a stop, a pause or an outage under our lease.
                    await releaseQueue()
                } else {
                    startSends()
                }
                let queued = queue.count - queueStart
                if stop {
                    if !acks.isEmpty, !(await flush(&acks)) { await pause(250) }
                    if inFlight == 0 && acks.isEmpty { break }
                    // A send outliving the lease keeps its row while the stop waits for it.
                    if nextRenewal == .max { await iterator.next() } else { await waitForWake(until: nextRenewal, iterator: &iterator) }
                    continue
                }
                if now - pauseCheckedAt >= configuration.pollInterval {
                    pauseCheckedAt = now
                    if let pauses = try? await store.channelPauses() {
                        paused = pauses.contains { $0.channelID == definition.id && $0.paused }
                    }
                    // Another daemon found the platform down: wait as if this breaker had opened.
                    if let breakers, !sharedOpen, let states = try? await breakers.openBreakers() {
                        peerOpenUntil = states.first {
                            $0.channelID == definition.id && $0.openedBy != configuration.workerID
                        }?.openUntil ?? 0
                    }
                }
                if let leases, now - channelCheckedAt >= min(configuration.pollInterval, channelLease / 4) {
                    channelCheckedAt = now
                    let held = holdsChannel
                    // Unable to renew, it stops sending: another daemon may take the channel once the lease runs out.
                    holdsChannel =
                        (try? await leases.takeChannel(
                            definition.id, owner: configuration.workerID, leaseMillis: channelLease, now: now))?.owner
                        == configuration.workerID
                    if holdsChannel != held {
                        logger.info(holdsChannel ? "sending to this channel" : "another daemon sends to this channel")
                    }
                    if !holdsChannel { continue }
                }
                var wakeAt = now + configuration.pollInterval
                var claimedAny = false
                var claimAttempted = false
                var probe = breaker
                if !paused && pauseWanted == nil && holdsChannel && peerOpenUntil <= now && queued == 0
                    && probe.permit(now: now)
                {
                    // Half-open lets one probe through; claim one delivery for it.
                    let probing = probe.isHalfOpenState
                    let target = concurrency + (probing ? 0 : prefetch)
                    let space = target - inFlight
                    // Claim in chunks (a quarter of what may be held) so transactions stay large.
                    if space > 0 && (inFlight == 0 || space * 4 >= target) {
                        var tokens = bucket
                        let allowed = min(tokens.take(min(space, claimLimit), now: now), probing ? 1 : .max)
                        if allowed > 0 {
                            claimAttempted = true
                            // The lease runs from the time the claim was asked for, however long the store takes.
                            let leasedAt = now
                            guard let claimed = await claim(limit: allowed, lease: lease, now: now, acks: &acks) else {
                                // The store is failing: back off rather than spin on it.
                                await pause(250)
                                continue
                            }
                            now = clock.now()
                            if !claimed.isEmpty {
                                if nextRenewal == .max { nextRenewal = leasedAt + configuration.renewalInterval }
                                breaker = probe
                                _ = bucket.take(claimed.count, now: now)
                                claimedAny = claimed.count == allowed && !probing
                                queue.append(contentsOf: claimed)
                                startSends()
                            } else if inFlight == 0, let due = try? await store.nextDue(channelID: definition.id) {
                                wakeAt = min(wakeAt, max(due, now + 1))
                            }
                        } else {
                            wakeAt = min(wakeAt, now + max(1, min(bucket.waitTime(for: 1, now: now), configuration.pollInterval)))
                        }
                    }
                } else if !paused, let retryAt = breaker.retryAt(now: now) {
                    wakeAt = min(wakeAt, retryAt)
                } else if peerOpenUntil > now {
                    wakeAt = min(wakeAt, peerOpenUntil)
                }
                // Acknowledgements not written with a claim: in batches, but none waits long.
                if !claimAttempted && !acks.isEmpty
                    && (inFlight * 2 < concurrency || acks.count >= configuration.claimBatch
                        || now - oldestAck >= configuration.ackDelay)
                {
                    if await flush(&acks) { now = clock.now() } else { await pause(250) }
                }
                if claimedAny { continue }
                if !acks.isEmpty { wakeAt = min(wakeAt, oldestAck + configuration.ackDelay) }
                wakeAt = min(wakeAt, nextRenewal)
                await waitForWake(until: wakeAt, iterator: &iterator)
            }
        }
        // Another daemon may send at once rather than wait for the lease to run out.
        if let leases, holdsChannel {
            try? await leases.releaseChannel(definition.id, owner: configuration.workerID)
        }
    }

    /// How many claimed deliveries may wait for a free send slot: none for a
    /// rate-limited or batch channel (tokens and batches are counted at the
    /// claim), otherwise whole multiples of the concurrency, as many as can
    /// each still be sent, one request timeout after another, within the
    /// prefetch window (or one timeout and the margin, if that is longer).
    static func prefetchLimit(definition: ChannelDefinition, configuration: EngineConfiguration, batchSize: Int) -> Int {
        guard batchSize == 1, definition.rateLimit.isUnlimited, definition.timeout > 0 else { return 0 }
        let window = max(configuration.prefetchWindow, definition.timeout + configuration.leaseMargin)
        let rounds = (window - configuration.leaseMargin) / definition.timeout - 1
        guard rounds > 0 else { return 0 }
        return min(configuration.claimBatch, definition.concurrency * Int(rounds))
    }

    /// Claims, writing pending acknowledgements in the same transaction; on a store
    /// error keeps them for the next try (never drops one) and returns nil.
    private func claim(limit: Int, lease: Int64, now: Int64, acks: inout [SendOutcome]) async -> [ClaimedDelivery]? {
        do {
            let claimed = try await store.completeAndClaim(
                acks, channelID: runtime.definition.id, audience: runtime.definition.audience,
                owner: configuration.workerID, limit: limit, leaseMillis: lease, now: now)
            if !acks.isEmpty {
                onRecorded?(runtime.definition.id, acks)
                acks.removeAll(keepingCapacity: true)
            }
            return claimed
        } catch {
            logger.error("claim failed", metadata: ["error": "\(error)", "acknowledgements": "\(acks.count)"])
            return nil
        }
    }

    /// Renews the leases of what this worker holds; returns when to renew next (never,
    /// when it holds nothing). A lease that could not be renewed is said in the log: if it
    /// lapses, another worker may send that delivery too (the idempotency key absorbs it).
    private func renewLeases(_ held: [Int64], lease: Int64, now: Int64) async -> Int64 {
        guard !held.isEmpty else { return .max }
        do {
            let renewed = try await store.renewLeases(
                owner: configuration.workerID, deliveryIDs: held, leaseMillis: lease, now: now)
            if renewed < held.count {
                // Only a lapse lets another worker take a row this one still holds.
                logger.warning(
                    "delivery leases lapsed and were taken over; those deliveries may be sent twice",
                    metadata: ["held": "\(held.count)", "renewed": "\(renewed)"])
            }
            return now + configuration.renewalInterval
        } catch {
            logger.warning(
                "could not renew delivery leases; will try again", metadata: ["error": "\(error)", "count": "\(held.count)"])
            return now + min(configuration.renewalInterval, 250)
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

    /// Pauses the channel as an operator would, in the audit log as this daemon; false if the store failed.
    private func pauseChannel(reason: String) async -> Bool {
        do {
            try await store.setPaused(
                channelID: runtime.definition.id, paused: true, reason: reason, actor: "daemon:\(configuration.workerID)",
                now: clock.now())
            logger.warning(
                "channel paused: the platform says the channel cannot be used; resume it once that is fixed",
                metadata: ["reason": "\(reason)"])
            return true
        } catch {
            logger.error("pausing the channel failed; will retry", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func record(_ outcome: SendOutcome, in breaker: inout CircuitBreaker, now: Int64) {
        switch outcome.result {
        case .delivered, .inProgress:
            breaker.recordSuccess(now: now)
        case .deferred:
            // Nothing reached the platform, so nothing was learnt about its health.
            breaker.releaseProbe()
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
            // No portal URL: released by `withoutPortal:`, or the item is not on the portal.
            canonicalURL: delivery.canonicalURL ?? runtime.definition.withoutPortal?.fallbackURL)
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
                if let wait = error.deferredFor {
                    // The channel's own quota is full: expected under load, not an error to report.
                    outcome = .deferred(retryAfter: wait, reason: error.failure.message)
                    logger.debug(
                        "send deferred: the channel's own quota has no room",
                        metadata: [
                            "item": "\(delivery.record.itemID)", "version": "\(delivery.version)",
                            "retryAfter": "\(wait)", "reason": "\(error.failure.message)",
                        ])
                } else {
                    status = error.httpStatus
                    outcome = .failed(error.failure)
                    logger.debug(
                        "send failed",
                        metadata: [
                            "item": "\(delivery.record.itemID)", "version": "\(delivery.version)",
                            "error": "\(error.failure.message)",
                        ])
                }
            }
            return SendOutcome(
                deliveryID: delivery.record.id, itemID: delivery.record.itemID, channelID: delivery.record.channelID,
                operation: delivery.operation, version: delivery.version, result: outcome, httpStatus: status,
                startedAt: startedAt, durationMillis: durationMillis, trigger: delivery.trigger,
                schedule: definition.retry, randomUnit: Double.random(in: 0..<1), canWithdraw: canWithdraw,
                setsCanonicalURL: definition.isCanonical)
        }
        let now = clock.now()
        for (outcome, (delivery, _)) in zip(outcomes, sends) { logAttempt(outcome, claimed: delivery.record, now: now) }
        var requested = false
        for outcome in outcomes {
            let counted = DeliveryMetrics.Outcome(outcome.result)
            instruments.count(counted)
            requested = requested || counted != .deferred
        }
        // Only a request that reached the platform says how long the platform takes.
        if requested {
            instruments.duration.recordNanoseconds(
                elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        completed.withLock { $0.append(contentsOf: outcomes) }
        wake.yield()
    }

    /// One log event per attempt (a deferral reached no platform and is none): item, version,
    /// channel (the logger's own metadata), the outcome, the duration and what happens next.
    ///
    /// The decision is the store's own transition applied to the claimed row, so the event can
    /// say it before the store has written it; `retryAt` may differ from the stored time by the
    /// milliseconds between here and the write. Metadata is built only when info is enabled.
    private func logAttempt(_ outcome: SendOutcome, claimed: DeliveryRecord, now: Int64) {
        guard logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "item": .string(outcome.itemID), "version": .stringConvertible(outcome.version),
            "operation": .string(outcome.operation.rawValue), "durationMs": .stringConvertible(outcome.durationMillis),
            "trigger": .string(outcome.trigger.rawValue),
        ]
        if let status = outcome.httpStatus { metadata["httpStatus"] = .stringConvertible(status) }
        var retryAt: Int64?
        switch outcome.result {
        case .deferred:
            return
        case .delivered:
            metadata["status"] = "ok"
            metadata["decision"] = .string(outcome.operation == .withdraw ? "withdrawn" : "delivered")
        case .inProgress(_, let checkAfter):
            metadata["status"] = "in-progress"
            metadata["decision"] = "check-again"
            retryAt = now + max(1, checkAfter)
        case .failed(let failure):
            metadata["status"] = .string(failure.permanent ? "permanent" : "retryable")
            // Platform messages can quote what was sent: masked here for the text format too.
            metadata["error"] = .string(PrivacyMasking.maskIDNumbers(in: String(failure.message.prefix(300))))
            var next = claimed
            next.failed(
                outcome.operation, version: outcome.version, failure: failure, schedule: outcome.schedule,
                randomUnit: outcome.randomUnit, canWithdraw: outcome.canWithdraw, now: now)
            switch next.state {
            case .retrying:
                metadata["decision"] = "retry"
                retryAt = next.nextAttemptAt
            case .dead:
                metadata["decision"] = "dead"
            default:
                // A newer version or a withdrawal arrived meanwhile: it goes next, on a fresh schedule.
                metadata["decision"] = "superseded"
                retryAt = next.nextAttemptAt
            }
        }
        if let retryAt { metadata["retryAt"] = .string(Timestamp.rfc3339(retryAt)) }
        logger.info("delivery attempt", metadata: metadata)
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

extension SendOutcome {
    /// Why this outcome pauses its channel, if the adapter said it does.
    var pauseReason: String? {
        if case .failed(let failure) = result, failure.pausesChannel { return String(failure.message.prefix(300)) }
        return nil
    }
}

extension CircuitBreaker {
    /// Half-open lets a single probe through, so the worker claims one delivery at a time.
    var isHalfOpenState: Bool {
        if case .halfOpen = state { return true }
        return false
    }
}
