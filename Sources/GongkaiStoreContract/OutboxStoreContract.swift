import GongkaiCore
public import GongkaiStore
public import Testing

/// The contract every ``OutboxStore`` keeps, as a library that each
/// backend's test target runs unchanged (the way FluentKit ships
/// `FluentBenchmark` to its drivers):
///
/// ```swift
/// @Test(arguments: OutboxStoreContract.checks)
/// func contract(_ check: OutboxStoreContract.Check) async throws {
///     try await check.run(on: makeFreshStore())
/// }
/// ```
///
/// Every check gets a fresh, empty store and asserts with Swift Testing's
/// `#expect`, so a failure names the check and the line in this library.
public enum OutboxStoreContract {
    /// One named check of the contract.
    public struct Check: Sendable, CustomTestStringConvertible {
        public let name: String
        let body: @Sendable (any OutboxStore) async throws -> Void

        init(_ name: String, _ body: @escaping @Sendable (any OutboxStore) async throws -> Void) {
            self.name = name
            self.body = body
        }

        /// Runs the check on `store`, which must be empty.
        public func run(on store: any OutboxStore) async throws {
            try await body(store)
        }

        public var testDescription: String { name }
    }

    static let leaseChecks: [Check] = [
        Check("a channel lease has one owner until it expires or is released", Leases.oneOwnerAtATimeUntilItExpiresOrIsReleased),
        Check("concurrent takers of a channel lease get one owner", Leases.concurrentTakersGetOneOwner),
        Check("an open breaker is recorded for every daemon until cleared", Breakers.anOpenBreakerIsRecordedForEveryDaemonUntilCleared),
        Check("one live API token per name, every change audited", Tokens.oneLiveTokenPerNameAndEveryChangeAudited),
        Check("a dead worker's leases are freed for the next claim", Heartbeats.aDeadWorkersLeasesAreFreedForTheNextClaim),
    ]

    /// Every check, each a test case of its own in the backend's suite.
    public static let checks: [Check] = leaseChecks + [
        Check("submit creates a version and routed deliveries in one go", Outbox.submitCreatesVersionAndRoutedDeliveriesInOneGo),
        Check("identical content is a no-op, changed content a new version", Outbox.identicalContentIsANoOpAndChangedContentIsANewVersion),
        Check("review pending holds until approved", Outbox.reviewPendingHoldsUntilApproved),
        Check("claim leases rows; an expired lease is reclaimed", Outbox.claimLeasesRowsAndAnExpiredLeaseIsReclaimed),
        Check("a renewed lease keeps its rows from other claimers", Outbox.aRenewedLeaseKeepsItsRowsFromOtherClaimers),
        Check(
            "a reclaimed lease logs the abandoned send, nothing else does",
            Outbox.aReclaimedLeaseLogsTheAbandonedSendAndNothingElseDoes),
        Check("public channels get the masked document", Outbox.publicChannelsGetTheMaskedDocumentAndGovernmentTheFullOne),
        Check("success delivers, failures retry or die", Outbox.successDeliversAndFailuresRetryOrDie),
        Check("deferrals spend no attempt and never kill", Outbox.deferralsSpendNoAttemptAndNeverKill),
        Check("a deferred resend keeps its manual trigger", Outbox.aDeferredResendKeepsItsManualTrigger),
        Check("a new version during a send waits, then goes", Outbox.aNewVersionDuringASendWaitsForItThenGoes),
        Check("withdrawal takes down what may be shown", Outbox.withdrawalTakesDownWhatMayBeShownAndNothingElse),
        Check("rejected operations change nothing", Outbox.rejectedOperationsChangeNothing),
        Check("resend and recover requeue with a manual trigger", Outbox.resendAndRecoverRequeueWithAManualTrigger),
        Check("release gives back unsent claims; pauses persist", Outbox.releaseGivesBackUnsentClaimsAndPausesPersist),
        Check("completeAndClaim equals the two calls in turn", Outbox.completeAndClaimRecordsThenClaimsLikeTheTwoCallsInTurn),
        Check("linking channels wait for the portal URL", Platform.linkingChannelsWaitForThePortalURL),
        Check("a released portal wait is due without a URL, and audited", Platform.aReleasedPortalWaitIsDueWithoutAURLAndAudited),
        Check("nothing waits when the portal does not carry the item", Platform.nothingWaitsWhenThePortalDoesNotCarryTheItem),
        Check("approval of a linking channel still waits for the portal", Platform.approvalOfALinkingChannelStillWaitsForThePortal),
        Check("an asynchronous publish keeps its handle", Platform.anAsynchronousPublishKeepsItsHandleAndIsCheckedAgain),
        Check("items page in id order with every field", Reads.itemsPageInIDOrderWithEveryField),
        Check("deliveries with items page one channel", Reads.deliveriesWithItemsPageOneChannel),
        Check("each version keeps its documents", Reads.eachVersionKeepsItsDocuments),
        Check("item versions page whole histories of the chosen kinds", Reads.itemVersionsPageWholeHistoriesOfTheChosenKinds),
        Check("a consultation's feedback is found by its relation", Reads.aConsultationsFeedbackIsFoundByItsRelation),
        Check("delivery filters combine and order", Reads.deliveryFiltersCombineAndOrder),
        Check("unfinished deliveries fold with their items", Reads.unfinishedDeliveriesFoldWithTheirItems),
        Check("attempts keep every field and filter by channel", Reads.attemptsKeepEveryFieldAndFilterByChannel),
        Check("a fast acknowledgement keeps NULLs and earlier remote values", Reads.aFastAcknowledgementKeepsNullsAndEarlierRemoteValues),
        Check("a failure's progress is kept for the next claim", Reads.aFailuresProgressIsKeptForTheNextClaim),
        Check("audit log is newest first, by item, limited", Reads.auditLogIsNewestFirstByItemAndLimited),
        Check("next due is the channel's earliest claimable time", Reads.nextDueIsTheChannelsEarliestClaimableTime),
        Check("concurrent claimers never share a row", Concurrency.concurrentClaimersNeverShareARow),
        Check("concurrent submits of one item make one version each", Concurrency.concurrentSubmitsOfOneItemStayConsistent),
    ]
}
