public import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP/1 listener every platform simulator runs on: it gathers each
/// request, asks a ``SimulatorEndpoint`` for the answer and plays it out
/// (late, or as a dropped connection, when the endpoint says so).
public final class SimulatorHTTPServer: Sendable {
    private struct Running: Sendable {
        var channel: any Channel
        var group: MultiThreadedEventLoopGroup
        var host: String
        var port: Int
    }

    private let endpoint: any SimulatorEndpoint
    private let maxBodyBytes: Int
    private let logger: Logger
    private let running = NIOLockedValueBox<Running?>(nil)

    public init(endpoint: any SimulatorEndpoint, maxBodyBytes: Int = 4 << 20, logger: Logger) {
        self.endpoint = endpoint
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    /// Binds and serves; returns the bound port (use `port: 0` in tests).
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let endpoint = self.endpoint
        let maxBodyBytes = self.maxBodyBytes
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        SimulatorHTTPHandler(endpoint: endpoint, maxBodyBytes: maxBodyBytes))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        let bound = channel.localAddress?.port ?? port
        running.withLockedValue { $0 = Running(channel: channel, group: group, host: host, port: bound) }
        logger.info("simulator listening", metadata: ["host": "\(host)", "port": "\(bound)"])
        return bound
    }

    /// Closes the listener and its connections; state kept by the endpoint stays.
    public func stop() async {
        guard let current = running.withLockedValue({ state -> Running? in
            defer { state = nil }
            return state
        }) else { return }
        try? await current.channel.close()
        try? await current.group.shutdownGracefully()
    }

    /// `http://host:port` while running (no trailing slash).
    public var baseURL: String {
        running.withLockedValue { state in
            guard let state else { return "http://127.0.0.1:0" }
            return "http://\(state.host):\(state.port)"
        }
    }

    public var port: Int? { running.withLockedValue { $0?.port } }
}

/// Per-connection handler; NIO's pipelining handler in front keeps answers in request order.
final class SimulatorHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let endpoint: any SimulatorEndpoint
    private let maxBodyBytes: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var oversized = false

    init(endpoint: any SimulatorEndpoint, maxBodyBytes: Int) {
        self.endpoint = endpoint
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            oversized = false
        case .body(let chunk):
            guard !oversized else { return }
            body.append(contentsOf: chunk.readableBytesView)
            if body.count > maxBodyBytes {
                oversized = true
                body = []
            }
        case .end:
            guard let head else { return }
            self.head = nil
            if oversized {
                write(.json(["error": "request body too large"], status: .payloadTooLarge), for: head, context: context)
                return
            }
            let request = SimulatorRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
            body = []
            let endpoint = self.endpoint
            let promise = context.eventLoop.makePromise(of: SimulatorResponse.self)
            promise.completeWithTask { await endpoint.respond(to: request) }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { response in
                let (handler, context) = bound.value
                if response.drop {
                    context.close(promise: nil)
                } else if let delay = response.delay {
                    let nanos = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
                    context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanos)) {
                        handler.write(response, for: head, context: context)
                    }
                } else {
                    handler.write(response, for: head, context: context)
                }
            }
        }
    }

    private func write(_ response: SimulatorResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var head = HTTPResponseHead(version: request.version, status: response.status, headers: response.headers)
        head.headers.replaceOrAdd(name: "content-length", value: String(response.body.count))
        let keepAlive = request.isKeepAlive
        if !keepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
