public import Hummingbird
public import GongkaiStore
import Logging
import NIOCore

/// Who is calling, once their bearer token has been checked.
public struct APICaller: Sendable {
    public var name: String
    public var role: APIRole
    /// The actor written to the audit log for changes made through the API.
    public var actor: String { "api:\(name)" }
}

/// The request context of every API route: the core storage Hummingbird needs,
/// the caller once authenticated, and the peer's address for the audit log.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: APICaller?
    public let remoteAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress.map { "\($0.ipAddress ?? "?")" } ?? "unknown"
    }

    /// The largest body any route reads (a batch of items, as `gongkai submit` allows).
    public var maxUploadSize: Int { GongkaiServer.maxBodyBytes }
}
