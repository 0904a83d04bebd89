import GongkaiChannels
import GongkaiStore

/// A channel as `channels list` shows it; never includes the secret's value.
public struct ChannelView: Encodable, Sendable {
    public var id: String
    public var name: String
    public var kind: String
    public var audience: String
    public var endpoint: String
    public var secret: String?
    /// Credential name → where it is read from (never the value).
    public var credentials: [String: String]
    public var capabilities: [String]
    public var concurrency: Int
    public var ratePerSecond: Double?
    public var timeoutMillis: Int64
    public var retryDelaysMillis: [Int64]
    public var paused: Bool
    public var pauseReason: String?
    public var source: String

    public init(_ definition: ChannelDefinition, pause: ChannelPause?) {
        id = definition.id
        name = definition.name
        kind = definition.kind.rawValue
        audience = definition.audience.rawValue
        endpoint = definition.endpoint
        secret = definition.secret?.description
        credentials = definition.credentials.mapValues(\.description)
        capabilities = definition.capabilities.names
        concurrency = definition.concurrency
        ratePerSecond = definition.ratePerSecond
        timeoutMillis = definition.timeout
        retryDelaysMillis = definition.retry.delays
        paused = pause?.paused ?? false
        pauseReason = pause?.reason
        source = definition.source
    }
}
