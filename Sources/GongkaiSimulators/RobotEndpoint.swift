import Crypto
import Foundation
import GongkaiCore
import NIOConcurrencyHelpers
import NIOHTTP1

/// The rules of one group robot: credentials, signature and timestamp
/// window, sizes, rate limits and injected faults, with what it received.
/// Kept apart from ``RobotSimulator`` so the HTTP server holding it does not
/// hold the simulator.
final class RobotEndpoint: SimulatorEndpoint, Sendable {
    struct State: Sendable {
        var limits: RobotLimits
        var faults = RobotFaults.none
        var scriptPosition = 0
        var random: SplitMix64
        var messages: [ReceivedRobotMessage] = []
        /// Accept times still inside a rate window.
        var acceptedAt: [Int64] = []
        var rejected: [RobotRejection: Int] = [:]
        var probes = 0
    }

    let dialect: RobotDialect
    /// WeCom key, DingTalk access token or Feishu hook token.
    private let token: String
    private let signSecret: String?
    private let clock: any WallClock
    let state: NIOLockedValueBox<State>

    init(dialect: RobotDialect, token: String, signSecret: String?, limits: RobotLimits, clock: any WallClock) {
        self.dialect = dialect
        self.token = token
        self.signSecret = signSecret
        self.clock = clock
        self.state = NIOLockedValueBox(State(limits: limits, random: SplitMix64(seed: RobotFaults.none.seed)))
    }

    func respond(to request: SimulatorRequest) async -> SimulatorResponse {
        let now = clock.now()
        guard request.path == dialect.basePath || request.path.hasPrefix(dialect.basePath + "/") else {
            return .json(["error": "not found"], status: .notFound)
        }
        guard request.method == .POST else {
            // A reachability probe: answered like the platform answers a request without credentials.
            state.withLockedValue { $0.probes += 1 }
            return answer(.badCredential)
        }
        if let refusal = authenticate(request, now: now) { return reject(refusal) }
        switch nextFault() {
        case .serverError(let status):
            count(.injectedServerError)
            return .json([dialect.messageKey: "system busy"], status: HTTPResponseStatus(statusCode: status))
        case .throttle:
            return reject(.injectedThrottle)
        case .platformThrottle:
            return reject(.injectedPlatformThrottle)
        case .robotRemoved:
            return reject(.missingCredential)
        case .drop:
            count(.injectedDrop)
            return .dropped
        case .slow(let delay):
            var response = accept(request, now: now)
            response.delay = delay
            return response
        case .accept:
            return accept(request, now: now)
        }
    }

    // MARK: Rules

    private func authenticate(_ request: SimulatorRequest, now: Int64) -> RobotRejection? {
        let tolerance = state.withLockedValue { $0.limits.toleranceMilliseconds }
        switch dialect {
        case .wecom:
            guard let given = request.query["key"], !given.isEmpty else { return .missingCredential }
            return given == token ? nil : .badCredential
        case .dingtalk:
            guard let given = request.query["access_token"], !given.isEmpty else { return .missingCredential }
            guard given == token else { return .badCredential }
            guard let text = request.query["timestamp"], let timestamp = Int64(text), abs(now - timestamp) <= tolerance
            else { return .staleTimestamp }
            let mac = HMAC<SHA256>.authenticationCode(
                for: Data("\(text)\n\(signSecret ?? "")".utf8), using: SymmetricKey(data: Data((signSecret ?? "").utf8))
            )
            return request.query["sign"] == Data(mac).base64EncodedString() ? nil : .badSignature
        case .feishu:
            guard request.path == dialect.basePath + "/" + token else { return .badCredential }
            if let maxBody = state.withLockedValue({ $0.limits.maxBodyBytes }), request.body.count > maxBody {
                return .tooLong
            }
            guard let json = request.json else { return .malformed }
            guard let text = json["timestamp"] as? String, let seconds = Int64(text),
                abs(now - seconds * 1000) <= tolerance
            else { return .staleTimestamp }
            let mac = HMAC<SHA256>.authenticationCode(
                for: Data(), using: SymmetricKey(data: Data("\(text)\n\(signSecret ?? "")".utf8)))
            return json["sign"] as? String == Data(mac).base64EncodedString() ? nil : .badSignature
        }
    }

    /// The message as the group would show it, or why it is refused.
    /// nil when malformed: not JSON, or not a message shape the platform takes.
    private func parse(_ request: SimulatorRequest) -> (type: String, title: String?, text: String)? {
        guard let json = request.json else { return nil }
        switch dialect {
        case .wecom:
            guard json["msgtype"] as? String == "markdown", let markdown = json["markdown"] as? [String: Any],
                let content = markdown["content"] as? String
            else { return nil }
            return ("markdown", nil, content)
        case .dingtalk:
            guard json["msgtype"] as? String == "markdown", let markdown = json["markdown"] as? [String: Any],
                let title = markdown["title"] as? String, let text = markdown["text"] as? String
            else { return nil }
            return ("markdown", title, text)
        case .feishu:
            let content = json["content"] as? [String: Any]
            switch json["msg_type"] as? String {
            case "text":
                guard let text = content?["text"] as? String else { return nil }
                return ("text", nil, text)
            case "post":
                guard let post = content?["post"] as? [String: Any], let language = post["zh_cn"] as? [String: Any],
                    let lines = language["content"] as? [[[String: Any]]]
                else { return nil }
                let text = lines.map { $0.compactMap { $0["text"] as? String }.joined() }.joined(separator: "\n")
                return ("post", language["title"] as? String, text)
            default:
                return nil
            }
        }
    }

    private func accept(_ request: SimulatorRequest, now: Int64) -> SimulatorResponse {
        guard let message = parse(request) else { return reject(.malformed) }
        let refusal = state.withLockedValue { state -> RobotRejection? in
            if let limit = state.limits.maxContentBytes, message.text.utf8.count > limit { return .tooLong }
            let window = state.limits.windowMilliseconds
            state.acceptedAt.removeAll { $0 <= now - max(window, 1_000) }
            if state.acceptedAt.filter({ $0 > now - window }).count >= state.limits.messagesPerWindow {
                return .rateLimited
            }
            if let perSecond = state.limits.messagesPerSecond,
                state.acceptedAt.filter({ $0 > now - 1_000 }).count >= perSecond
            {
                return .rateLimited
            }
            state.acceptedAt.append(now)
            state.messages.append(
                ReceivedRobotMessage(
                    messageType: message.type, title: message.title, text: message.text, receivedAt: now,
                    body: request.bodyText))
            return nil
        }
        if let refusal { return reject(refusal) }
        return answer(nil)
    }

    private func nextFault() -> RobotScriptedFault {
        state.withLockedValue { state in
            let faults = state.faults
            if state.scriptPosition < faults.script.count {
                defer { state.scriptPosition += 1 }
                return faults.script[state.scriptPosition]
            }
            guard faults.serverErrorRate + faults.throttleRate + faults.dropRate + faults.slowRate > 0 else {
                return .accept
            }
            var draw = state.random.nextUnit()
            if draw < faults.serverErrorRate {
                return .serverError(status: [500, 502, 503][Int(state.random.next() % 3)])
            }
            draw -= faults.serverErrorRate
            if draw < faults.throttleRate { return .throttle }
            draw -= faults.throttleRate
            if draw < faults.dropRate { return .drop }
            draw -= faults.dropRate
            if draw < faults.slowRate { return .slow(faults.slowDelay) }
            return .accept
        }
    }

    // MARK: Answers

    private func count(_ reason: RobotRejection) {
        state.withLockedValue { $0.rejected[reason, default: 0] += 1 }
    }

    private func reject(_ reason: RobotRejection) -> SimulatorResponse {
        count(reason)
        return answer(reason)
    }

    private func answer(_ outcome: RobotRejection?) -> SimulatorResponse {
        let (code, message, status) = dialect.answer(outcome)
        return .json(
            [dialect.codeKey: code, dialect.messageKey: message], status: HTTPResponseStatus(statusCode: status))
    }
}
