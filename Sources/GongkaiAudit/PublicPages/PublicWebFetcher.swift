public import AsyncHTTPClient
import Crypto
import Foundation
public import GongkaiCore
import NIOCore
import NIOHTTP1
import Synchronization

/// Fetches public addresses as a citizen's browser would: a plain GET with no
/// credentials, redirects followed within the same site only, a timeout per
/// request, and a polite pace per host (``HostPacing``).
///
/// Its answers never throw: every way a fetch can end is a value the check classifies.
public final class PublicWebFetcher: Sendable {
    let client: HTTPClient
    let ownsClient: Bool
    /// Per request, in ms.
    public let timeout: Int64
    public let maxPageBytes: Int
    public let maxFileBytes: Int
    public let maxRedirects: Int
    private let pacing: Mutex<HostPacing>
    let clock: any WallClock
    /// Where to connect for a host instead of resolving it (`host` → `http://127.0.0.1:8080`),
    /// as `curl --resolve` does: staging and the demo check pages under the agency's real
    /// addresses while the sites are local simulators. The page keeps its address and Host.
    public let addressOverrides: [String: String]

    public static let userAgent = "Mozilla/5.0 (compatible; gongkai-public-page-check/1)"

    /// - Parameters:
    ///   - client: an HTTP client to use (not shut down here); by default one of its own, without redirects.
    ///   - hostInterval: ms between two requests to one host.
    public init(
        client: HTTPClient? = nil, timeout: Int64 = 15_000, hostInterval: Int64 = 500, maxPageBytes: Int = 4 << 20,
        maxFileBytes: Int = 64 << 20, maxRedirects: Int = 5, addressOverrides: [String: String] = [:],
        clock: any WallClock = SystemWallClock()
    ) {
        self.addressOverrides = Dictionary(addressOverrides.map { ($0.key.lowercased(), $0.value) }) { $1 }
        if let client {
            self.client = client
            ownsClient = false
        } else {
            var configuration = HTTPClient.Configuration()
            // Redirects are followed here, so that a page may only move within its own site.
            configuration.redirectConfiguration = .disallow
            self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            ownsClient = true
        }
        self.timeout = timeout
        self.maxPageBytes = maxPageBytes
        self.maxFileBytes = maxFileBytes
        self.maxRedirects = maxRedirects
        self.pacing = Mutex(HostPacing(interval: hostInterval))
        self.clock = clock
    }

    public func shutdown() async {
        if ownsClient { try? await client.shutdown() }
    }

    /// A page: its status and body after redirects within the site.
    public func page(_ url: String) async -> PublicFetchOutcome {
        switch await get(url, sameSiteOnly: true, limit: maxPageBytes, hashing: false) {
        case .failed(let reason): return .failed(reason)
        case .answered(let status, let finalURL, let body, _): return .answered(status: status, finalURL: finalURL, body: body)
        }
    }

    /// Whether a link answers: its status after redirects (a link may lead to another site).
    public func linkStatus(_ url: String) async -> Result<Int, PublicFetchFailure> {
        switch await get(url, sameSiteOnly: false, limit: 0, hashing: false) {
        case .failed(let reason): return .failure(PublicFetchFailure(reason: reason))
        case .answered(let status, _, _, _): return .success(status)
        }
    }

    /// A file: its status and the SHA-256 of its bytes (lower-case hex), read in a stream.
    public func fileDigest(_ url: String) async -> Result<(status: Int, sha256: String?), PublicFetchFailure> {
        switch await get(url, sameSiteOnly: false, limit: maxFileBytes, hashing: true) {
        case .failed(let reason): return .failure(PublicFetchFailure(reason: reason))
        case .answered(let status, _, _, let digest): return .success((status, digest))
        }
    }

    enum Fetched {
        case answered(status: Int, finalURL: String, body: [UInt8], sha256: String?)
        case failed(String)
    }

    private func get(_ address: String, sameSiteOnly: Bool, limit: Int, hashing: Bool) async -> Fetched {
        guard var url = URL(string: address), let firstHost = url.host, Self.isWeb(url) else {
            return .failed("not an http(s) address")
        }
        var hops = 0
        while true {
            await pace(host: url.host ?? firstHost)
            var request = HTTPClientRequest(url: connectionURL(url))
            request.method = .GET
            if let host = url.host, addressOverrides[host.lowercased()] != nil {
                request.headers.add(name: "host", value: host + (url.port.map { ":\($0)" } ?? ""))
            }
            request.headers.add(name: "user-agent", value: Self.userAgent)
            request.headers.add(name: "accept", value: "text/html,application/xhtml+xml,*/*;q=0.8")
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, deadline: .now() + .milliseconds(timeout))
            } catch {
                return .failed(Self.describe(error))
            }
            let status = Int(response.status.code)
            if (300..<400).contains(status), status != 304, let location = response.headers.first(name: "location") {
                // Done with this answer's body before the next request.
                _ = try? await response.body.collect(upTo: 64 << 10)
                guard let next = URL(string: location, relativeTo: url)?.absoluteURL, Self.isWeb(next) else {
                    return .failed("redirect to an address that is not http(s)")
                }
                if sameSiteOnly && !Self.sameSite(next, url) {
                    return .failed("redirected off the site, to \(next.host ?? "?")")
                }
                hops += 1
                guard hops <= maxRedirects else { return .failed("more than \(maxRedirects) redirects") }
                url = next
                continue
            }
            if limit == 0 && !hashing {
                // A link check needs the status only; the connection is not reused.
                return .answered(status: status, finalURL: url.absoluteString, body: [], sha256: nil)
            }
            do {
                var body: [UInt8] = []
                var hasher = hashing ? SHA256() : nil
                var read = 0
                for try await chunk in response.body {
                    read += chunk.readableBytes
                    if hashing {
                        guard read <= limit else { return .failed("larger than \(limit >> 20) MB") }
                        hasher?.update(data: chunk.readableBytesView)
                    } else {
                        guard read <= limit else { return .failed("larger than \(limit >> 20) MB") }
                        body.append(contentsOf: chunk.readableBytesView)
                    }
                }
                let digest = hasher.map { $0.finalize().map { String(format: "%02x", $0) }.joined() }
                return .answered(status: status, finalURL: url.absoluteString, body: body, sha256: digest)
            } catch {
                return .failed(Self.describe(error))
            }
        }
    }

    /// The address to connect to: `url` itself, or on an overridden host the same path there.
    func connectionURL(_ url: URL) -> String {
        guard let host = url.host?.lowercased(), let base = addressOverrides[host],
            var components = URLComponents(url: url, resolvingAgainstBaseURL: true),
            let target = URLComponents(string: base)
        else { return url.absoluteString }
        components.scheme = target.scheme
        components.host = target.host
        components.port = target.port
        return components.string ?? url.absoluteString
    }

    private func pace(host: String) async {
        let now = clock.now()
        let start = pacing.withLock { $0.reserve(host: host, now: now) }
        if start > now { try? await Task.sleep(for: .milliseconds(start - now)) }
    }

    static func isWeb(_ url: URL) -> Bool {
        let scheme = url.scheme?.lowercased()
        return (scheme == "http" || scheme == "https") && url.host != nil
    }

    /// One site: the same host, with or without `www.`, on any scheme (http → https is a move within the site).
    static func sameSite(_ a: URL, _ b: URL) -> Bool {
        func bare(_ url: URL) -> String {
            let host = (url.host ?? "").lowercased()
            return host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
        }
        return bare(a) == bare(b) && a.port == b.port
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout: return "timed out"
            default: break
            }
        }
        return "connection failed (\(String(describing: error).prefix(120)))"
    }
}

/// Why a link or file could not be fetched.
public struct PublicFetchFailure: Error, Sendable, Equatable {
    public var reason: String
}
