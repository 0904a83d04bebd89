import GongkaiCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The start/stop lifecycle every simulator shares: bind an HTTP/1 listener
/// (port 0 picks a free one), report the bound port, serve each connection
/// with a fresh handler, and close everything on stop. Only the handler and
/// the socket tuning differ between simulators.
final class SimulatorListener: Sendable {
    /// Socket and thread settings; the defaults suit a simulator answering a test or a demo.
    struct Tuning: Sendable {
        var threads = 1
        var backlog: Int32 = 256
        /// NIO's default when nil.
        var maxMessagesPerRead: UInt? = nil
    }

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

    /// Names the simulator in log lines and errors ("simulator", "webhook simulator").
    private let name: String
    private let tuning: Tuning
    private let logger: Logger
    private let makeHandler: @Sendable () -> any ChannelHandler
    private let state = NIOLockedValueBox(State.idle)

    init(name: String, tuning: Tuning = Tuning(), logger: Logger, handler: @escaping @Sendable () -> any ChannelHandler) {
        self.name = name
        self.tuning = tuning
        self.logger = logger
        self.makeHandler = handler
    }

    /// Binds and serves; returns the bound port.
    ///
    /// - Throws: ``GongkaiError`` with code `conflict` if already started, or the bind error.
    func start(host: String, port: Int) async throws -> Int {
        let claimed = state.withLockedValue { state -> Bool in
            guard case .idle = state else { return false }
            state = .starting
            return true
        }
        guard claimed else { throw GongkaiError(.conflict, "\(name) is already started") }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: tuning.threads)
        let makeHandler = self.makeHandler
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: tuning.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
        if let perRead = tuning.maxMessagesPerRead {
            bootstrap = bootstrap.childChannelOption(.maxMessagesPerRead, value: perRead)
        }
        bootstrap = bootstrap.childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                try channel.pipeline.syncOperations.addHandler(makeHandler())
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
        let bound = channel.localAddress?.port ?? port
        state.withLockedValue { $0 = .running(Running(channel: channel, group: group, host: host, port: bound)) }
        logger.info("\(name) listening", metadata: ["host": "\(host)", "port": "\(bound)"])
        return bound
    }

    /// Closes the listener and every open connection, cancelling pending slow
    /// answers; it can be started again.
    func stop() async {
        let running = state.withLockedValue { state -> Running? in
            guard case .running(let running) = state else { return nil }
            state = .idle
            return running
        }
        guard let running else { return }
        try? await running.channel.close()
        // Shutting the group down closes the accepted connections too.
        try? await running.group.shutdownGracefully()
        logger.info("\(name) stopped", metadata: ["port": "\(running.port)"])
    }

    /// `http://host:port` while running (no trailing slash), `http://127.0.0.1:0` otherwise.
    var baseURL: String {
        state.withLockedValue { state in
            guard case .running(let running) = state else { return "http://127.0.0.1:0" }
            return "http://\(running.host):\(running.port)"
        }
    }

    /// The bound port while running.
    var port: Int? {
        state.withLockedValue { state in
            guard case .running(let running) = state else { return nil }
            return running.port
        }
    }
}

/// A simulator that can run on a local port: what a demo, a test or
/// `gongkai simulate` needs to start one, point a channel at it and stop it.
public protocol LocalSimulator: AnyObject, Sendable {
    /// Binds and serves; returns the bound port.
    ///
    /// - Throws: ``GongkaiError`` with code `conflict` if already started, or the bind error.
    @discardableResult
    func start(host: String, port: Int) async throws -> Int
    /// Closes the listener and its connections; what the simulator holds stays readable.
    func stop() async
    /// `http://host:port` while running (no trailing slash).
    var baseURL: String { get }
}

extension LocalSimulator {
    /// Binds on 127.0.0.1 and serves; returns the bound port (`port: 0`, the default, picks a free one).
    @discardableResult
    public func start(port: Int = 0) async throws -> Int {
        try await start(host: "127.0.0.1", port: port)
    }
}

/// The simulators built on ``SimulatorHTTPServer``: their lifecycle is the
/// server's, plus a hook for what depends on the bound address.
protocol HTTPServedSimulator: LocalSimulator {
    var server: SimulatorHTTPServer { get }
    /// Called once bound, before `start` returns (public URLs that embed the address).
    func serving(at baseURL: String)
}

extension HTTPServedSimulator {
    func serving(at baseURL: String) {}

    @discardableResult
    public func start(host: String, port: Int) async throws -> Int {
        let bound = try await server.start(host: host, port: port)
        serving(at: server.baseURL)
        return bound
    }

    public func stop() async {
        await server.stop()
    }

    public var baseURL: String { server.baseURL }
}
