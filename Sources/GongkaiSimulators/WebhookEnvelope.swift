/// The few fields of a gongkai webhook body the receiver needs.
///
/// Everything is optional so a missing field can be named in the 400 answer
/// rather than surfacing as a generic decoding error; `item` is not declared,
/// so the item itself is never materialised.
struct WebhookEnvelope: Decodable {
    struct Payload: Decodable {
        var itemId: String?
        var version: Int?
        var contentHash: String?
        var channel: String?
        var reason: String?
    }

    var type: String?
    var data: Payload?
}
