public import Logging
import NIOCore
import NIOHTTP1

/// The HTTP/1 listener every platform simulator runs on: it gathers each
/// request, asks a ``SimulatorEndpoint`` for the answer and plays it out
/// (late, or as a dropped connection, when the endpoint says so). Binding
/// and stopping are the shared ``SimulatorListener``'s.
public final class SimulatorHTTPServer: Sendable {
    private let listener: SimulatorListener

    public init(endpoint: any SimulatorEndpoint, maxBodyBytes: Int = 4 << 20, logger: Logger) {
        listener = SimulatorListener(name: "simulator", logger: logger) {
            SimulatorHTTPHandler(endpoint: endpoint, maxBodyBytes: maxBodyBytes, logger: logger)
        }
    }

    /// Binds and serves; returns the bound port (use `port: 0` in tests).
    ///
    /// - Throws: ``GongkaiError`` with code `conflict` if already started, or the bind error.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        try await listener.start(host: host, port: port)
    }

    /// Closes the listener and its connections; state kept by the endpoint stays.
    public func stop() async {
        await listener.stop()
    }

    /// `http://host:port` while running (no trailing slash).
    public var baseURL: String { listener.baseURL }

    public var port: Int? { listener.port }
}

/// Per-connection handler; NIO's pipelining handler in front keeps answers in request order.
final class SimulatorHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let endpoint: any SimulatorEndpoint
    private let maxBodyBytes: Int
    private let logger: Logger
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var oversized = false

    init(endpoint: any SimulatorEndpoint, maxBodyBytes: Int, logger: Logger) {
        self.endpoint = endpoint
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
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
                    handler.logger.debug("simulator dropped the connection", metadata: handler.metadata(head))
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

    /// The request as a log line shows it: the query is left out, as robots carry their key in it.
    private func metadata(_ request: HTTPRequestHead) -> Logger.Metadata {
        let path = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return ["method": "\(request.method.rawValue)", "path": "\(path)"]
    }

    private func write(_ response: SimulatorResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        logger.debug(
            "simulator answered",
            metadata: metadata(request).merging(["status": "\(response.status.code)"]) { $1 })
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
