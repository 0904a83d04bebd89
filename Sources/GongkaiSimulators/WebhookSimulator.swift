public import GongkaiCore
public import Logging
import NIOCore

/// A local stand-in for a platform that receives Standard Webhooks.
///
/// It verifies `webhook-id`, `webhook-timestamp` and `webhook-signature`,
/// reads the few fields of a gongkai event it needs, records what it accepted
/// and what it would show per item, and fails on demand (``setFaults(_:)``).
/// Tests, the demo and the throughput benchmark all run against it.
///
/// Built on plain SwiftNIO HTTP/1 rather than Hummingbird: dropping a
/// connection without any answer needs the raw channel, and a bare handler
/// keeps the per-request cost low enough for benchmark rates on two cores.
public final class WebhookSimulator: LocalSimulator {
    private let receiver: WebhookReceiver
    private let listener: SimulatorListener

    /// - Parameters:
    ///   - secret: The secret gongkai signs with.
    ///   - toleranceSeconds: How far `webhook-timestamp` may be from now, either way.
    ///   - maxBodyBytes: Larger bodies are answered 413.
    ///   - recordBodies: Keep each accepted body in ``ReceivedWebhook/body``;
    ///     off for the benchmark, where it would only cost memory.
    ///   - logger: Lifecycle at info, per-request rejections at debug.
    public init(
        secret: StandardWebhookSecret, toleranceSeconds: Int64 = 300, maxBodyBytes: Int = 4 << 20,
        recordBodies: Bool = true, logger: Logger
    ) {
        let receiver = WebhookReceiver(
            secret: secret, toleranceSeconds: toleranceSeconds, maxBodyBytes: maxBodyBytes,
            recordBodies: recordBodies, logger: logger
        )
        self.receiver = receiver
        // Every core and larger reads: the throughput benchmark runs against it.
        listener = SimulatorListener(
            name: "webhook simulator",
            tuning: .init(threads: System.coreCount, backlog: 1024, maxMessagesPerRead: 16), logger: logger
        ) { WebhookHTTPHandler(receiver: receiver) }
    }

    // MARK: Lifecycle

    /// Binds and starts serving; returns the bound port (useful with `port: 0`).
    ///
    /// - Throws: ``GongkaiError`` with code `conflict` if already started, or the bind error.
    @discardableResult
    public func start(host: String, port: Int) async throws -> Int {
        try await listener.start(host: host, port: port)
    }

    /// Closes the listener and every open connection, cancelling pending slow answers.
    /// Recorded state stays readable; the simulator can be started again.
    public func stop() async {
        await listener.stop()
    }

    /// The bound port while running.
    public var port: Int? { listener.port }

    /// `http://<host>:<port>`.
    public var baseURL: String { listener.baseURL }

    /// `http://<host>:<port>/hook`; any path is accepted, this is the one to configure.
    public var url: String { listener.baseURL + "/hook" }

    // MARK: Faults

    /// Replaces the injected faults; takes effect with the next request and
    /// restarts the script and the random sequence.
    public func setFaults(_ faults: WebhookFaults) {
        receiver.faults.faults = faults
    }

    /// The faults currently set.
    public var faults: WebhookFaults {
        receiver.faults.faults
    }

    // MARK: What was received

    /// Every accepted delivery, in arrival order.
    public func received() -> [ReceivedWebhook] {
        receiver.ledger.received()
    }

    /// What the platform shows for `itemID`, or nil if nothing was accepted for it.
    public func shown(itemID: String) -> ShownState? {
        receiver.ledger.shown(itemID: itemID)
    }

    /// Deliveries accepted (including slow ones).
    public var acceptedCount: Int {
        receiver.ledger.acceptedCount
    }

    /// Requests not accepted, by reason: `missing-header`, `invalid-timestamp`,
    /// `stale-timestamp`, `invalid-signature`, `malformed-body`, `oversized`,
    /// `method-not-allowed`, and the injected `fault-server-error`,
    /// `fault-throttled`, `fault-permanent`, `fault-dropped`, `fault-gone`. Zero counts are left out.
    public var rejectedCounts: [String: Int] {
        receiver.ledger.rejectedCounts
    }

    /// How many accepted deliveries matched this item, version and type, duplicates included.
    public func count(itemID: String, version: Int, type: ReceivedWebhook.EventType) -> Int {
        receiver.ledger.count(itemID: itemID, version: version, type: type)
    }

    /// Accepted deliveries whose `webhook-id` had been accepted before. The
    /// simulator does not dedupe, so these also appear in ``received()``.
    public var duplicateCount: Int {
        receiver.ledger.duplicateCount
    }

    /// Forgets everything recorded and counted; faults stay as set.
    public func reset() {
        receiver.ledger.reset()
    }

    /// Suspends until at least `acceptedCount` deliveries were accepted;
    /// false if `timeout` passed first or the task was cancelled.
    public func waitUntil(acceptedCount: Int, timeout: Duration) async -> Bool {
        await receiver.ledger.waitUntil(acceptedCount: acceptedCount, timeout: timeout)
    }
}
