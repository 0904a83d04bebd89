import AsyncHTTPClient
import Foundation
import GongkaiCore
import GongkaiSimulators
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// Every simulator shares one lifecycle (``LocalSimulator``): bound on
/// 127.0.0.1 on a free port, refused a second start while it runs, closed by
/// stop, and able to start again.
@Suite("Simulator lifecycle")
struct SimulatorLifecycleTests {
    static let logger = Logger(label: "sim", factory: { _ in SwiftLogNoOpLogHandler() })

    static func all() -> [(String, any LocalSimulator)] {
        [
            ("portal", PortalSimulator(token: "t", logger: logger)),
            ("platform", PlatformSimulator(appKey: "k", appSecret: "s", logger: logger)),
            ("credit-feed", CreditFeedSimulator(apiToken: "t", logger: logger)),
            ("weibo", WeiboSimulator(accessToken: "t", registeredDomain: "example.gov.cn", logger: logger)),
            ("wechat", WeChatSimulator(appID: "wx1", appSecret: "s", logger: logger)),
            ("robot", RobotSimulator(dialect: .wecom, token: "t", logger: logger)),
            ("webhook", WebhookSimulator(secret: .generate(), logger: logger)),
        ]
    }

    @Test func startReportsThePortRefusesASecondStartAndStops() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await Self.check(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// A TCP connection to 127.0.0.1:`port`, or nil if refused. A bare socket, because an
    /// HTTP client retries a refused connection until its deadline.
    static func dial(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        // A read that would hang is a failure, not a stuck test.
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Sends one request on `fd` and waits for the first byte of its answer: a connection
    /// the listener has surely accepted. (One only dialled may still wait in the kernel's
    /// accept queue when stop comes, and whether that one is reset is the kernel's business.)
    static func served(_ fd: Int32) -> Bool {
        let request = Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 1
    }

    /// Whether the peer closed the connection: reading what is left of an answer ends in
    /// the end of the stream or a reset, not in the read's time limit.
    static func closedByPeer(_ fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { continue }
            if count < 0 && errno == EINTR { continue }
            return count == 0 || (count < 0 && errno == ECONNRESET)
        }
    }

    static func check(_ client: HTTPClient) async throws {
        for (name, simulator) in all() {
            let port = try await simulator.start()
            #expect(port > 0, "\(name)")
            #expect(simulator.baseURL == "http://127.0.0.1:\(port)", "\(name)")
            // Any answer proves the listener serves; the path needs no credentials to be answered.
            let answer = try await client.execute(HTTPClientRequest(url: simulator.baseURL + "/"), timeout: .seconds(10))
            #expect(answer.status.code >= 200, "\(name)")
            _ = try await answer.body.collect(upTo: 1 << 20)
            // An idle keep-alive connection, which stop must close with the listener.
            let idle = try #require(Self.dial(port: port), "\(name)")
            defer { close(idle) }
            #expect(Self.served(idle), "\(name) did not answer on a second connection")

            // A second start must not leave a second listener behind.
            await #expect(throws: GongkaiError.self, "\(name)") { try await simulator.start() }
            #expect(simulator.baseURL == "http://127.0.0.1:\(port)", "\(name)")

            await simulator.stop()
            #expect(simulator.baseURL == "http://127.0.0.1:0", "\(name)")
            // (Whether the port still listens cannot be told here: a test beside this one may bind it at once.)
            #expect(Self.closedByPeer(idle), "\(name) kept a connection open after stop")

            let again = try await simulator.start()
            #expect(again > 0, "\(name)")
            await simulator.stop()
            await simulator.stop()  // stopping a stopped simulator does nothing
        }
    }
}
