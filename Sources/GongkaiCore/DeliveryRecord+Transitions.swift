/// The delivery state machine. Every function is pure: time and randomness
/// come in as arguments, and the result is the next record.
///
/// Ordering rule: a row in `sending` is never made due again by another event;
/// the event only changes the target (``DeliveryRecord/wantedVersion``,
/// ``DeliveryRecord/operation``), and the in-flight send's outcome settles it.
/// That is what keeps version n from reaching a channel after version n+1.
extension DeliveryRecord {
    /// Longest error text kept on the row; the attempt log keeps its own excerpt.
    public static let maxErrorLength = 500

    /// A new version of the item exists (or its routing was re-evaluated).
    public mutating func route(version: Int, decision: RoutingDecision, canWithdraw: Bool, now: Int64) {
        updatedAt = now
        switch decision {
        case .skip(let reason):
            if state == .sending || mayBeLive {
                // Was routed before and may be shown: take it down.
                requestWithdrawal(reason: "no longer routed: \(reason)", canWithdraw: canWithdraw, now: now)
            } else {
                wantedVersion = version
                operation = .publish
                state = .skipped
                holdReason = nil
                nextAttemptAt = nil
                lastError = Self.trimmed(reason)
            }
        case .hold(let reason):
            wantedVersion = version
            operation = .publish
            holdReason = reason
            failureStreak = 0
            if state != .sending { settle(canWithdraw: canWithdraw, now: now) }
        case .deliver:
            let changed = wantedVersion != version || operation != .publish || holdReason != nil
            wantedVersion = version
            operation = .publish
            holdReason = nil
            if changed || state == .skipped || state == .withdrawn {
                failureStreak = 0
                if state == .skipped || state == .withdrawn { lastError = nil }
                if state != .sending { settle(canWithdraw: canWithdraw, now: now) }
            }
        }
    }

    /// The item was withdrawn (or is no longer routed here): take it down where the channel shows it.
    public mutating func requestWithdrawal(reason: String, canWithdraw: Bool, now: Int64) {
        updatedAt = now
        operation = .withdraw
        holdReason = nil
        failureStreak = 0
        lastError = nil
        if state != .sending {
            settle(canWithdraw: canWithdraw, now: now)
        }
    }

    /// A worker took the row under a lease.
    public mutating func claimed(by owner: String, leaseUntil: Int64, now: Int64) {
        state = .sending
        leaseOwner = owner
        leaseExpiresAt = leaseUntil
        nextAttemptAt = leaseUntil
        attemptCount += 1
        updatedAt = now
    }

    /// The send of `sent` at `version` succeeded.
    public mutating func succeeded(
        _ sent: DeliveryOperation, version: Int, remoteID: String?, remoteURL: String?,
        canWithdraw: Bool, now: Int64
    ) {
        clearLease(now: now)
        failureStreak = 0
        lastError = nil
        switch sent {
        case .publish:
            deliveredVersion = version
            mayBeLive = true
            if let remoteID { self.remoteID = remoteID }
            if let remoteURL { self.remoteURL = remoteURL }
        case .withdraw:
            deliveredVersion = nil
            mayBeLive = false
            // remoteURL stays: where the item was shown, which the public-page check
            // fetches to see that it is gone (a deleted article's address often still answers).
        }
        settle(canWithdraw: canWithdraw, now: now)
    }

    /// The platform accepted the send of `sent` at `version` but finishes it
    /// asynchronously (WeChat `freepublish`): keep its handle and look again
    /// after `checkAfter` ms. Stored before anything else happens, so a
    /// restarted daemon checks the same publish instead of publishing twice.
    public mutating func inProgress(
        _ sent: DeliveryOperation, version: Int, remoteID: String, checkAfter: Int64, canWithdraw: Bool, now: Int64
    ) {
        clearLease(now: now)
        self.remoteID = remoteID
        // Until the platform says otherwise, the item may be live there.
        if sent == .publish { mayBeLive = true }
        let superseded = sent != operation || (operation == .publish && version != wantedVersion)
        if superseded {
            failureStreak = 0
            settle(canWithdraw: canWithdraw, now: now)
            return
        }
        state = .pending
        nextAttemptAt = now + max(1, checkAfter)
        lastError = Self.trimmed("in progress: the platform is still processing; checking again in \(max(1, checkAfter) / 1000)s")
    }

    /// The send of `sent` at `version` failed.
    public mutating func failed(
        _ sent: DeliveryOperation, version: Int, failure: SendFailure, schedule: RetrySchedule,
        randomUnit: Double, canWithdraw: Bool, now: Int64
    ) {
        clearLease(now: now)
        lastError = Self.trimmed(failure.message)
        // A timeout or a lost answer may hide a publish that did land.
        if sent == .publish && !failure.permanent { mayBeLive = true }
        let superseded = sent != operation || (operation == .publish && version != wantedVersion)
        // Kept only for the version it describes: a newer target starts afresh.
        if let progress = failure.progress, !superseded { remoteID = progress }
        if superseded {
            // A newer target arrived while this send was in flight: it goes now, with a fresh schedule.
            failureStreak = 0
            settle(canWithdraw: canWithdraw, now: now)
            return
        }
        failureStreak += 1
        if failure.permanent {
            state = .dead
            nextAttemptAt = nil
            return
        }
        switch schedule.decision(
            afterFailedAttempts: failureStreak, retryAfter: failure.retryAfter,
            throttled: failure.throttled, randomUnit: randomUnit)
        {
        case .retry(let delay):
            state = .retrying
            nextAttemptAt = now + delay
        case .exhausted:
            state = .dead
            nextAttemptAt = nil
            lastError = Self.trimmed("retries exhausted after \(failureStreak) attempts: \(failure.message)")
        }
    }

    /// Prefix of ``lastError`` while a row waits for its channel's own quota,
    /// so an operator can tell a wait that spends no attempt from a failure.
    public static let deferredPrefix = "waiting for the channel's own send window"

    /// The adapter did not attempt the send of `sent` at `version`: its own
    /// quota (a robot's send window) has no room for `retryAfter` ms.
    ///
    /// Nothing reached the platform, so this is not a failure: the claim's
    /// attempt is given back and the failure streak is kept, so no number of
    /// deferrals can exhaust the retry schedule or send the row to `dead`.
    /// The row rests as it was before the claim (`pending`, or `retrying` when
    /// it had failed), due when the quota has room. The wait is capped by the
    /// schedule's ``RetrySchedule/maximumDelay`` like any other delay.
    public mutating func deferred(
        _ sent: DeliveryOperation, version: Int, retryAfter: Int64, reason: String, schedule: RetrySchedule,
        canWithdraw: Bool, now: Int64
    ) {
        guard state == .sending else { return }
        clearLease(now: now)
        attemptCount = max(0, attemptCount - 1)
        let superseded = sent != operation || (operation == .publish && version != wantedVersion)
        if superseded || holdReason != nil {
            // The new target may need no send at all (withdrawn, held, already delivered).
            settle(canWithdraw: canWithdraw, now: now)
            guard state == .pending || state == .retrying else { return }
        }
        // The quota is the channel's, so whatever this row sends next has to wait for it too.
        state = failureStreak > 0 ? .retrying : .pending
        let wait = min(max(1, retryAfter), schedule.maximumDelay)
        nextAttemptAt = now > Int64.max - wait ? Int64.max : now + wait
        lastError = Self.trimmed("\(Self.deferredPrefix) (no attempt spent): \(reason)")
    }

    /// The worker gives the row back unsent (graceful shutdown).
    public mutating func released(now: Int64) {
        guard state == .sending else { return }
        clearLease(now: now)
        attemptCount = max(0, attemptCount - 1)
        state = failureStreak > 0 ? .retrying : .pending
        nextAttemptAt = now
    }

    /// Review approved (先审后发): a held version may go.
    public mutating func approved(canWithdraw: Bool, now: Int64) {
        guard holdReason != nil else { return }
        holdReason = nil
        updatedAt = now
        if state == .blocked { settle(canWithdraw: canWithdraw, now: now) }
    }

    /// An operator asks for the current target to be sent again. Returns
    /// whether anything changed; `force` also re-sends what is delivered.
    @discardableResult
    public mutating func resend(force: Bool, canWithdraw: Bool, now: Int64) -> Bool {
        switch state {
        case .sending, .skipped, .blocked:
            return false
        case .delivered:
            guard force else { return false }
        case .withdrawn:
            guard force, canWithdraw else { return false }
            mayBeLive = true
        case .dead, .retrying, .pending:
            break
        }
        failureStreak = 0
        lastError = nil
        state = .pending
        nextAttemptAt = now
        updatedAt = now
        return true
    }

    /// Decides the resting state once nothing is in flight.
    mutating func settle(canWithdraw: Bool, now: Int64) {
        updatedAt = now
        switch operation {
        case .withdraw:
            if !mayBeLive {
                state = .withdrawn
                nextAttemptAt = nil
            } else if canWithdraw {
                state = failureStreak > 0 ? .retrying : .pending
                nextAttemptAt = now
            } else {
                state = .withdrawn
                nextAttemptAt = nil
                lastError = "needs manual action: this channel cannot withdraw; remove the item there by hand"
            }
        case .publish:
            if deliveredVersion == wantedVersion {
                state = .delivered
                nextAttemptAt = nil
            } else if let holdReason {
                state = .blocked
                nextAttemptAt = nil
                lastError = Self.trimmed(holdReason)
            } else {
                state = .pending
                nextAttemptAt = now
            }
        }
    }

    private mutating func clearLease(now: Int64) {
        leaseOwner = nil
        leaseExpiresAt = nil
        updatedAt = now
    }

    static func trimmed(_ text: String) -> String {
        text.count <= maxErrorLength ? text : String(text.prefix(maxErrorLength - 1)) + "…"
    }
}
