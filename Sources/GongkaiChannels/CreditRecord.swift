/// One 双公示 record in the national field codes, as the credit-sharing feed
/// (信用中国) takes it: a penalty (CF_*) or a licence (XK_*).
public struct CreditRecord: Sendable, Equatable {
    /// The record family, which is also the prefix of its field codes.
    public enum RecordType: String, Sendable, CaseIterable {
        /// 行政处罚 (CF_*).
        case penalty = "CF"
        /// 行政许可 (XK_*).
        case licence = "XK"
    }

    public var type: RecordType
    /// National field code → value. Absent optional fields are left out
    /// rather than sent empty, so the platform never stores "" for "unknown".
    public var fields: [String: String]

    public init(type: RecordType, fields: [String: String]) {
        self.type = type
        self.fields = fields
    }

    /// The field holding 备注, shared by both families.
    public static let remarksField = "BZ"

    /// 2099/12/31 is the national standard's filler for "long-term" (长期).
    public static let longTermDate = "2099/12/31"
}
