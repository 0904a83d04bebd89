import Foundation
public import GongkaiCore
public import Hummingbird
import NIOCore

/// An RFC 9457 problem (`application/problem+json`): what every API error looks like.
///
/// `code` is stable (the CLI's error codes, plus the HTTP layer's own); `field`,
/// `item` and `channel` name what is at fault. Nothing changed when one is returned.
public struct Problem: Error, HTTPResponseError, Encodable, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var detail: String
    public var field: String?
    public var item: String?
    public var channel: String?
    /// Each field at fault, when an input had several problems.
    public var issues: [GongkaiError.FieldIssue]

    public init(
        _ status: HTTPResponse.Status, code: String, detail: String, field: String? = nil, item: String? = nil,
        channel: String? = nil, issues: [GongkaiError.FieldIssue] = []
    ) {
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.item = item
        self.channel = channel
        self.issues = issues
    }

    /// The HTTP status a use-case error answers with.
    public init(_ error: GongkaiError) {
        let status: HTTPResponse.Status
        switch error.code {
        case .malformedJSON: status = .badRequest
        case .missingField, .invalidField: status = .unprocessableContent
        case .oversized: status = .contentTooLarge
        case .unknownItem, .unknownChannel: status = .notFound
        case .conflict: status = .conflict
        case .configuration, .store: status = .serviceUnavailable
        default: status = .badRequest
        }
        self.init(
            status, code: error.code.rawValue, detail: error.message, field: error.field, item: error.item,
            channel: error.channel, issues: error.issues)
    }

    /// Any error a handler threw, as the problem the client sees: gongkai's own errors
    /// keep their code and field; Hummingbird's keep their status; anything else is a 500
    /// whose detail says nothing about the internals.
    public static func from(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem: return problem
        case let error as GongkaiError: return Problem(error)
        case let error as any HTTPResponseError:
            // Hummingbird's own (an unknown route, a body past the limit: NIO's too-many-bytes is one too).
            switch error.status {
            case .contentTooLarge:
                return Problem(
                    .contentTooLarge, code: GongkaiError.Code.oversized.rawValue,
                    detail: "the request body is larger than \(GongkaiServer.maxBodyBytes) bytes", field: "body")
            case .notFound:
                return Problem(.notFound, code: "not-found", detail: "no such resource")
            case .methodNotAllowed:
                return Problem(.methodNotAllowed, code: "method-not-allowed", detail: "this resource does not take that method")
            default:
                return Problem(error.status, code: "http-\(error.status.code)", detail: error.status.reasonPhrase)
            }
        default:
            return Problem(.internalServerError, code: "internal", detail: "the server failed; the log has the details")
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, code, field, item, channel, issues
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("/v1/problems/\(code)", forKey: .type)
        try container.encode(status.reasonPhrase, forKey: .title)
        try container.encode(status.code, forKey: .status)
        try container.encode(detail, forKey: .detail)
        try container.encode(code, forKey: .code)
        try container.encodeIfPresent(field, forKey: .field)
        try container.encodeIfPresent(item, forKey: .item)
        try container.encodeIfPresent(channel, forKey: .channel)
        if !issues.isEmpty { try container.encode(issues, forKey: .issues) }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"gongkai\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONOutput.string(self))))
    }
}
