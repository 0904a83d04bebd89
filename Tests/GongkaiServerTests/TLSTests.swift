import AsyncHTTPClient
import Crypto
import Foundation
import GongkaiCore
import GongkaiServer
import GongkaiService
import NIOCore
import NIOHTTP1
import NIOSSL
import SwiftASN1
import Testing
import X509

/// HTTPS when a certificate and key are configured: a real handshake on 127.0.0.1:0
/// against a self-signed certificate made for the test.
@Suite("HTTP API over TLS")
struct TLSTests {
    /// A self-signed certificate for 127.0.0.1, written as PEM files into `directory`.
    static func certificate(in directory: URL) throws -> (certificate: String, key: String, pem: String) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("gongkai test") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now - 3_600, notValidAfter: now + 3_600, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            },
            issuerPrivateKey: .init(key))
        let pem = try certificate.serializeAsPEM().pemString
        let certificatePath = directory.appendingPathComponent("server.crt").path
        let keyPath = directory.appendingPathComponent("server.key").path
        try pem.write(toFile: certificatePath, atomically: true, encoding: .utf8)
        try key.pemRepresentation.write(toFile: keyPath, atomically: true, encoding: .utf8)
        return (certificatePath, keyPath, pem)
    }

    @Test func servesHTTPSWithTheConfiguredCertificate() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try Self.certificate(in: directory)
        var settings = GongkaiSettings()
        settings.serverTLSCertificate = files.certificate
        settings.serverTLSKey = files.key
        let tls = try #require(try ServerTLS.configuration(settings))

        let api = try await APIHarness(tls: tls)
        var clientTLS = TLSConfiguration.makeClientConfiguration()
        clientTLS.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(files.pem.utf8)))
        let client = HTTPClient(configuration: .init(tlsConfiguration: clientTLS))
        let secure = try await api.call(.GET, "/healthz", client: client)
        // A client that does not trust the certificate does not get through.
        let untrusting = await #expect(throws: (any Error).self) {
            try await api.call(.GET, "/healthz", client: .shared, timeout: .seconds(3))
        }
        let plain = await #expect(throws: (any Error).self) {
            try await api.call(.GET, "/healthz", client: .shared, base: api.base.replacingOccurrences(of: "https:", with: "http:"),
                // The server waits for a TLS hello that never comes: the client gives up first.
                timeout: .seconds(1))
        }
        try await client.shutdown()
        await api.stop()

        #expect(api.base.hasPrefix("https://127.0.0.1:"))
        #expect(secure.status == 200)
        #expect(untrusting != nil)
        #expect(plain != nil)
    }

    @Test func halfATLSConfigurationOrAnUnreadableFileIsRefusedByName() throws {
        var keyOnly = GongkaiSettings()
        keyOnly.serverTLSKey = "/nonexistent/key.pem"
        #expect(throws: GongkaiError.self) { try ServerTLS.configuration(keyOnly) }
        do {
            _ = try ServerTLS.configuration(keyOnly)
        } catch {
            #expect(error.field == "server.tlsCertificate")
        }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try Self.certificate(in: directory)
        let secretLooking = directory.appendingPathComponent("not-a-key.pem").path
        try "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n"
            .write(toFile: secretLooking, atomically: true, encoding: .utf8)
        var badKey = GongkaiSettings()
        badKey.serverTLSCertificate = files.certificate
        badKey.serverTLSKey = secretLooking
        do {
            _ = try ServerTLS.configuration(badKey)
            Issue.record("a bad key was accepted")
        } catch {
            #expect(error.field == "server.tlsKey")
            #expect(!error.message.contains("c2VjcmV0"))
        }
    }

    @Test func theSettingsReadBothFilesFromTheEnvironment() throws {
        let settings = try GongkaiSettings.resolve(
            options: [:], configPath: nil,
            environment: ["GONGKAI_SERVER_TLS_CERTIFICATE": "/etc/gongkai/tls.crt", "GONGKAI_SERVER_TLS_KEY": "/etc/gongkai/tls.key"])
        #expect(settings.serverTLSCertificate == "/etc/gongkai/tls.crt")
        #expect(settings.serverTLSKey == "/etc/gongkai/tls.key")
    }
}
