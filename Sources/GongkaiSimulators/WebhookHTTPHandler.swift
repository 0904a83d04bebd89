import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Per-connection NIO handler: gathers one request, asks the
/// ``WebhookReceiver`` what to do, and plays that out on the socket.
///
/// NIO's pipelining handler sits in front of it, so while a slow answer is
/// pending the next request on the connection waits, as HTTP/1.1 ordering requires.
final class WebhookHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let receiver: WebhookReceiver
    /// One per connection: a shared decoder would make every event loop meet on its lock.
    private let decoder = JSONDecoder()
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var oversized = false
    private var delayedResponse: Scheduled<Void>?

    init(receiver: WebhookReceiver) {
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
            oversized = false
            if let length = head.headers.first(name: "content-length").flatMap({ Int($0) }),
                length > receiver.maxBodyBytes
            {
                oversized = true
            }
        case .body(var chunk):
            guard !oversized else { return }
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            if body!.readableBytes > receiver.maxBodyBytes {
                // Keep reading to the end so the client gets a 413 rather than a reset.
                oversized = true
                body = nil
            }
        case .end:
            guard let head else { return }
            let outcome = receiver.process(head: head, body: body, oversized: oversized, decoder: decoder)
            self.head = nil
            body = nil
            switch outcome {
            case .respond(let response):
                write(response, for: head, context: context)
            case .respondAfter(let delay, let response):
                delayedResponse = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                    self.delayedResponse = nil
                    self.write(response, for: head, context: context)
                }
            case .drop:
                context.close(promise: nil)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        delayedResponse?.cancel()
        delayedResponse = nil
        context.fireChannelInactive()
    }

    private func write(_ response: WebhookResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        var head = response.head
        if request.version != head.version {
            head.version = request.version
        }
        let keepAlive = request.isKeepAlive
        if !keepAlive {
            head.headers.replaceOrAdd(name: "connection", value: "close")
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }
}
