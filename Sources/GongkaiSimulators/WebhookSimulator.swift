public import GongkaiCore
public import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

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
public final class WebhookSimulator: Sendable {
    private struct Running: Sendable {
        var channel: any Channel
        var group: MultiThreadedEventLoopGroup
        var host: String
        var port: Int
    }

    private enum State: Sendable {
        case idle
        case starting
        case running(Running)
    }

    private let receiver: WebhookReceiver
    private let state = NIOLockedValueBox(State.idle)

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
        receiver = WebhookReceiver(
            secret: secret, toleranceSeconds: toleranceSeconds, maxBodyBytes: maxBodyBytes,
            recordBodies: recordBodies, logger: logger
        )
    }

    // MARK: Lifecycle

    /// Binds and starts serving; returns the bound port (useful with `port: 0`).
    ///
    /// - Throws: ``GongkaiError`` with code `conflict` if already started, or the bind error.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        let claimed = state.withLockedValue { state -> Bool in
            guard case .idle = state else { return false }
            state = .starting
            return true
        }
        guard claimed else {
            throw GongkaiError(.conflict, "webhook simulator is already started")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let receiver = self.receiver
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(WebhookHTTPHandler(receiver: receiver))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            try? await group.shutdownGracefully()
            state.withLockedValue { $0 = .idle }
            throw error
        }
        let boundPort = channel.localAddress?.port ?? port
        state.withLockedValue { $0 = .running(Running(channel: channel, group: group, host: host, port: boundPort)) }
        receiver.logger.info(
            "webhook simulator listening",
            metadata: ["host": "\(host)", "port": "\(boundPort)"]
        )
        return boundPort
    }

    /// Closes the listener and every open connection, cancelling pending slow answers.
    /// Recorded state stays readable; the simulator can be started again.
    public func stop() async {
        let running = state.withLockedValue { state -> Running? in
            guard case .running(let running) = state else { return nil }
            state = .idle
            return running
        }
        guard let running else { return }
        try? await running.channel.close()
        // Shutting the group down closes the accepted connections too.
        try? await running.group.shutdownGracefully()
        receiver.logger.info("webhook simulator stopped", metadata: ["port": "\(running.port)"])
    }

    /// The bound port while running.
    public var port: Int? {
        state.withLockedValue { state in
            guard case .running(let running) = state else { return nil }
            return running.port
        }
    }

    /// `http://<host>:<port>/hook`; any path is accepted, this is the one to configure.
    public var url: String {
        let (host, port) = state.withLockedValue { state -> (String, Int) in
            guard case .running(let running) = state else { return ("127.0.0.1", 0) }
            return (running.host, running.port)
        }
        return "http://\(host):\(port)/hook"
    }

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
