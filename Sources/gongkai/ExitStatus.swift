import Foundation
import GongkaiCore

/// The exit statuses of `gongkai`, documented in `--help` and the README.
public enum ExitStatus {
    public static let success: Int32 = 0
    /// The input was rejected (invalid item, unknown item or channel, malformed JSON, oversized); nothing changed.
    public static let rejected: Int32 = 1
    /// The configuration is wrong (settings file, channel file, missing secret).
    public static let configuration: Int32 = 2
    /// The store failed.
    public static let store: Int32 = 3
    /// The demo or a wait did not converge in time.
    public static let notConverged: Int32 = 4
    /// The request conflicts with the item's state (nothing to do is not a conflict).
    public static let conflict: Int32 = 5

    public static let helpText = """
        Exit status: 0 ok; 1 input rejected (nothing changed); 2 configuration error; \
        3 store error; 4 did not converge; 5 conflict; 64 usage error.
        """

    public static func code(for error: any Error) -> Int32 {
        guard let error = error as? GongkaiError else { return store }
        switch error.code {
        case .configuration: return configuration
        case .store: return store
        case .conflict: return conflict
        default: return rejected
        }
    }

    /// The error as JSON, for `--json` callers.
    public static func json(_ error: any Error) -> String {
        struct Body: Encodable {
            var error: String
            var message: String
            var item: String?
            var channel: String?
            var field: String?
            var issues: [GongkaiError.FieldIssue]?
        }
        let body: Body
        if let error = error as? GongkaiError {
            body = Body(
                error: error.code.rawValue, message: error.message, item: error.item, channel: error.channel,
                field: error.field, issues: error.issues.isEmpty ? nil : error.issues)
        } else {
            body = Body(error: "internal", message: "\(error)")
        }
        return JSONOutput.string(body)
    }
}
