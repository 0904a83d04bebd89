import Foundation
public import GongkaiStore
public import HTTPTypes
import Hummingbird

/// One operation of the API: method, path (in OpenAPI's `{name}` form), who may call it.
public struct APIRoute: Sendable {
    public let method: HTTPRequest.Method
    public let path: String
    /// The roles whose token may call it; empty for the unauthenticated routes.
    public let roles: Set<APIRole>
    let handler: @Sendable (APIHandlers, Request, APIRequestContext) async throws -> Response
}

/// The route table: the server registers exactly these, and a test holds the
/// OpenAPI document (`openapi.yaml`) to exactly the same set.
public enum APIRoutes {
    static let anyone: Set<APIRole> = []
    static let readers: Set<APIRole> = [.read, .operate]
    static let itemReaders: Set<APIRole> = [.read, .operate, .submit]
    static let submitters: Set<APIRole> = [.submit, .operate]
    static let operators: Set<APIRole> = [.operate]

    public static let all: [APIRoute] = [
        APIRoute(method: .get, path: "/healthz", roles: anyone) { h, r, c in try await h.healthz(r, c) },
        APIRoute(method: .get, path: "/readyz", roles: anyone) { h, r, c in try await h.readyz(r, c) },
        APIRoute(method: .get, path: "/metrics", roles: anyone) { h, r, c in h.metrics(r, c) },
        APIRoute(method: .get, path: "/v1/openapi.yaml", roles: anyone) { h, r, c in try h.openAPI(r, c) },
        APIRoute(method: .post, path: "/v1/items", roles: submitters) { h, r, c in try await h.submit(r, c) },
        APIRoute(method: .get, path: "/v1/items/{id}", roles: itemReaders) { h, r, c in try await h.item(r, c) },
        APIRoute(method: .get, path: "/v1/items/{id}/attempts", roles: itemReaders) { h, r, c in
            try await h.attempts(r, c)
        },
        APIRoute(method: .post, path: "/v1/items/{id}/withdraw", roles: operators) { h, r, c in
            try await h.withdraw(r, c)
        },
        APIRoute(method: .post, path: "/v1/items/{id}/approve", roles: operators) { h, r, c in
            try await h.approve(r, c)
        },
        APIRoute(method: .post, path: "/v1/items/{id}/resend", roles: operators) { h, r, c in
            try await h.resend(r, c)
        },
        APIRoute(method: .get, path: "/v1/deliveries", roles: readers) { h, r, c in try await h.deliveries(r, c) },
        APIRoute(method: .get, path: "/v1/channels", roles: readers) { h, r, c in try await h.channels(r, c) },
        APIRoute(method: .post, path: "/v1/channels/{id}/pause", roles: operators) { h, r, c in
            try await h.pause(r, c, paused: true)
        },
        APIRoute(method: .post, path: "/v1/channels/{id}/resume", roles: operators) { h, r, c in
            try await h.pause(r, c, paused: false)
        },
        APIRoute(method: .post, path: "/v1/channels/{id}/recover", roles: operators) { h, r, c in
            try await h.recover(r, c)
        },
        APIRoute(method: .post, path: "/v1/channels/{id}/test", roles: operators) { h, r, c in
            try await h.testChannel(r, c)
        },
        APIRoute(method: .get, path: "/v1/audit", roles: readers) { h, r, c in try await h.audit(r, c) },
        APIRoute(method: .get, path: "/v1/reports/annual", roles: readers) { h, r, c in try await h.annualReport(r, c) },
        APIRoute(method: .get, path: "/v1/reports/annual/gov", roles: readers) { h, r, c in
            try await h.govAnnualReport(r, c)
        },
        APIRoute(method: .get, path: "/v1/reconcile/last", roles: readers) { h, r, c in try h.lastReconciliation(r, c) },
        APIRoute(method: .post, path: "/v1/reconcile", roles: operators) { h, r, c in
            try await h.startReconciliation(r, c)
        },
        APIRoute(method: .get, path: "/v1/reconcile/runs/{id}", roles: readers) { h, r, c in
            try await h.reconciliation(r, c)
        },
    ]
}
