public import GongkaiChannels
import GongkaiCore

/// A channel ready to send: its definition and its adapter.
public struct ChannelRuntime: Sendable {
    public var definition: ChannelDefinition
    public var adapter: any ChannelAdapter

    public init(definition: ChannelDefinition, adapter: any ChannelAdapter) {
        self.definition = definition
        self.adapter = adapter
    }
}
