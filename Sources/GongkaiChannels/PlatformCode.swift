/// The provincial platform's answer codes (envelope `code`), as assumed in
/// `channels/platform.yaml`; 0 is success.
public enum PlatformCode {
    /// The body or a parameter is malformed (`data.field` names it).
    public static let malformedRequest = 40_001
    /// An auth header is missing (`data.field` names it).
    public static let missingAuthHeader = 40_100
    public static let badSignature = 40_101
    /// `X-Timestamp` is more than 5 minutes from the platform's clock.
    public static let staleTimestamp = 40_102
    /// `X-Nonce` was used before within the window.
    public static let replayedNonce = 40_103
    public static let unknownAppKey = 40_104
    /// The app key may not publish to this `siteCode`.
    public static let forbiddenSite = 40_301
    public static let notFound = 40_401
    public static let methodNotAllowed = 40_501
    /// The platform holds a newer version of the document.
    public static let versionConflict = 40_901
    /// A required catalogue field is missing (`data.field`, `data.label`).
    public static let missingCatalogueField = 42_201
    /// A field has a value the platform does not accept (`data.field`).
    public static let invalidField = 42_202
    /// Rate limited; `Retry-After` header and `data.retryAfter` in seconds.
    public static let rateLimited = 42_901
    public static let internalError = 50_001
    public static let unavailable = 50_301
}
