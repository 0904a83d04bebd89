import ArgumentParser

/// Where the HTTP API listens, and its certificate: the same options on `daemon` and `serve`.
struct ServerOptions: ParsableArguments {
    @Option(help: "Interface the HTTP API listens on (env GONGKAI_SERVER_ADDRESS; default 127.0.0.1).") var serverAddress: String?
    @Option(help: "Port of the HTTP API; 0 picks a free one; off serves none (env GONGKAI_SERVER_PORT; default 8470).")
    var serverPort: String?
    @Option(help: "PEM certificate chain; with --server-tls-key the API serves HTTPS (env GONGKAI_SERVER_TLS_CERTIFICATE).")
    var serverTLSCertificate: String?
    @Option(help: "PEM private key of that certificate (env GONGKAI_SERVER_TLS_KEY).") var serverTLSKey: String?

    /// The options given, by settings file key.
    var settings: [String: String?] {
        [
            "server.address": serverAddress, "server.port": serverPort,
            "server.tlsCertificate": serverTLSCertificate, "server.tlsKey": serverTLSKey,
        ]
    }
}
