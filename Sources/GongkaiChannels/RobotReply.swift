import Foundation
import GongkaiCore
import NIOHTTP1

/// How a group robot's JSON answer (`{"errcode":0,"errmsg":"ok"}` or
/// `{"code":0,"msg":"success"}`) maps onto a delivery outcome.
///
/// The platforms answer most refusals with HTTP 200 and a code, so the code
/// is read first; 5xx and answers without a code fall back to the usual HTTP
/// classes. Platform messages are scrubbed of every credential value before
/// they reach an error.
struct RobotReply: Sendable {
    /// `WeCom`, `DingTalk`, `Feishu`, for messages.
    var platform: String
    var codeKey: String
    var messageKey: String
    /// Codes meaning "too many messages": retryable, throttled.
    var throttleCodes: Set<Int>
    /// Codes an operator must fix (key, token, signature, keywords, IP list),
    /// with what to check.
    var configurationCodes: [Int: String]
    /// Back-off after a throttle code; the platforms do not say how long.
    var throttleBackoff: Int64
    /// Credential values to scrub from anything the platform echoes.
    var secrets: [String]

    /// nil when the platform accepted the part.
    func failure(of response: PlatformHTTP.Response, part: Int, of parts: Int, request: DeliveryRequest, now: Int64)
        -> DeliveryError?
    {
        // The code's and the message's names differ per platform, so the answer is read by name.
        let code = response.decoded([String: WireField<WireInt>].self)?[codeKey]?.wrappedValue?.value
        let text = scrub(response.decoded([String: WireField<String>].self)?[messageKey]?.wrappedValue ?? response.excerpt)
        let which = parts > 1 ? " (part \(part) of \(parts); a retry posts the rest)" : ""
        if response.status >= 500 || code == nil {
            if (200..<300).contains(response.status) {
                return error(
                    SendFailure(permanent: false, message: "\(platform) answered without \(codeKey)\(which): \(text)"),
                    response, request)
            }
            return PlatformHTTP.classify(
                status: response.status, retryAfter: response.headers.first(name: "retry-after"),
                detail: "\(platform)\(which): \(text)", itemID: request.itemID, channelID: request.channelID, now: now)
        }
        guard let code, code != 0 else { return nil }
        let said = "\(platform) \(codeKey) \(code) (\(text))\(which)"
        if throttleCodes.contains(code) {
            return error(
                SendFailure(
                    permanent: false, throttled: true, retryAfter: throttleBackoff,
                    message: "\(said): the robot's rate limit is reached"),
                response, request)
        }
        if let fix = configurationCodes[code] {
            return error(SendFailure(permanent: true, message: "\(said): \(fix)"), response, request)
        }
        return error(SendFailure(permanent: true, message: "\(said): refused by the platform"), response, request)
    }

    private func error(_ failure: SendFailure, _ response: PlatformHTTP.Response, _ request: DeliveryRequest)
        -> DeliveryError
    {
        DeliveryError(failure, httpStatus: response.status, itemID: request.itemID, channelID: request.channelID)
    }

    /// The text with every credential value replaced by `***`.
    func scrub(_ text: String) -> String {
        ChannelText.redacting(secrets, in: text)
    }
}
