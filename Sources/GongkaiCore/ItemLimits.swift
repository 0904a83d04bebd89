/// Size limits an item must keep to.
///
/// The defaults sit below what every channel and the store accept, so an
/// item that passes can be delivered everywhere without truncation surprises;
/// deployments with a stricter platform can lower them.
public struct ItemLimits: Sendable, Equatable {
    /// Largest HTML body, in UTF-8 bytes.
    public var maxBodyBytes: Int
    /// Longest title, in characters (grapheme clusters, as a reader counts them).
    public var maxTitleCharacters: Int
    /// Longest summary, in characters.
    public var maxSummaryCharacters: Int
    /// Most attachments per item.
    public var maxAttachments: Int
    /// The 索引号 shapes accepted, per publisher (the national one by default).
    public var indexNumberFormats: IndexNumberFormats

    /// Creates limits; every parameter defaults to the ``standard`` value.
    public init(
        maxBodyBytes: Int = 1 << 20, maxTitleCharacters: Int = 300, maxSummaryCharacters: Int = 2000,
        maxAttachments: Int = 50, indexNumberFormats: IndexNumberFormats = .national
    ) {
        self.indexNumberFormats = indexNumberFormats
        self.maxBodyBytes = maxBodyBytes
        self.maxTitleCharacters = maxTitleCharacters
        self.maxSummaryCharacters = maxSummaryCharacters
        self.maxAttachments = maxAttachments
    }

    /// 1 MiB body, 300-character title, 2000-character summary, 50 attachments.
    public static let standard = ItemLimits()
}
