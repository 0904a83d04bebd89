/// A validated item with everything the store keeps of a version, computed
/// once at submit so that sending never re-encodes or re-masks on the hot path.
public struct PreparedItem: Sendable {
    public var item: DisclosureItem
    /// Canonical JSON of the full record (government channels).
    public var document: [UInt8]
    /// Canonical JSON with personal data masked (public channels).
    public var publicDocument: [UInt8]
    public var contentHash: String
    /// The publish deadline if this is the item's first version, and if it
    /// changes an existing item (counted from today); the store keeps the one
    /// that applies. Nil when no deadline could be computed.
    public var dueIfNew: CalendarDate?
    public var dueIfChanged: CalendarDate?
    /// For a consultation, when its adoption report (feedback) is due: counted
    /// from `commentsUntil`, so the same for every version that keeps it.
    public var feedbackDue: CalendarDate?

    public init(_ item: DisclosureItem) {
        self.item = item
        self.document = ItemCanonicalForm.document(item)
        self.publicDocument = ItemCanonicalForm.document(PrivacyMasking.maskedForPublic(item))
        self.contentHash = ItemCanonicalForm.contentHash(item)
    }
}
