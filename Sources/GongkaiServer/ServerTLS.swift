public import GongkaiCore
public import GongkaiService
public import NIOSSL

/// HTTPS for the API when the settings name a certificate and its key (NIOSSL);
/// otherwise plain HTTP on loopback, with TLS left to a proxy in front (README).
public enum ServerTLS {
    /// The server's TLS configuration, nil when neither file is set.
    public static func configuration(_ settings: GongkaiSettings) throws(GongkaiError) -> TLSConfiguration? {
        switch (settings.serverTLSCertificate, settings.serverTLSKey) {
        case (nil, nil):
            return nil
        case (nil, _):
            throw GongkaiError(.configuration, "server.tlsKey is set without server.tlsCertificate", field: "server.tlsCertificate")
        case (_, nil):
            throw GongkaiError(.configuration, "server.tlsCertificate is set without server.tlsKey", field: "server.tlsKey")
        case (let certificatePath?, let keyPath?):
            let chain: [NIOSSLCertificate]
            do {
                chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
            } catch {
                throw GongkaiError(
                    .configuration, "cannot read a PEM certificate from \(certificatePath)", field: "server.tlsCertificate")
            }
            guard !chain.isEmpty else {
                throw GongkaiError(.configuration, "\(certificatePath) holds no certificate", field: "server.tlsCertificate")
            }
            let key: NIOSSLPrivateKey
            do {
                key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            } catch {
                // The key file's content never goes into the message.
                throw GongkaiError(.configuration, "cannot read a PEM private key from \(keyPath)", field: "server.tlsKey")
            }
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            return configuration
        }
    }
}
