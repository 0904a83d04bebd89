import GongkaiCore
import Testing

@Suite("StandardWebhookSecret")
struct StandardWebhookSecretTests {
    /// The vector the Standard Webhooks reference libraries test against.
    private static let vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    private static let vectorID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    private static let vectorTimestamp: Int64 = 1_614_265_330
    private static let vectorBody = #"{"test": 2432232314}"#
    private static let vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    @Test func signsTheReferenceVector() throws {
        let secret = try StandardWebhookSecret(Self.vectorSecret)
        let signature = secret.signature(id: Self.vectorID, timestamp: Self.vectorTimestamp, body: Self.vectorBody.utf8)
        #expect(signature == Self.vectorSignature)
        // Bodies without contiguous storage take the copying path and must agree.
        let lazyBody = Array(Self.vectorBody.utf8).lazy.map { $0 }
        #expect(secret.signature(id: Self.vectorID, timestamp: Self.vectorTimestamp, body: lazyBody) == Self.vectorSignature)
    }

    @Test func verifiesAnyOfSeveralSignatures() throws {
        let secret = try StandardWebhookSecret(Self.vectorSecret)
        func verify(_ header: String, body: String = Self.vectorBody) -> Bool {
            secret.verify(id: Self.vectorID, timestamp: Self.vectorTimestamp, body: Array(body.utf8), header: header)
        }
        #expect(verify(Self.vectorSignature))
        #expect(verify("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= \(Self.vectorSignature)"))
        #expect(verify("\(Self.vectorSignature) v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="))
        #expect(verify("v1a,abc  \(Self.vectorSignature)"))
        #expect(!verify("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1,abc"))
        #expect(!verify("v2," + Self.vectorSignature.dropFirst(3)))
        #expect(!verify(""))
        #expect(!verify(Self.vectorSignature, body: #"{"test": 2432232315}"#))
        #expect(!secret.verify(id: Self.vectorID, timestamp: Self.vectorTimestamp + 1, body: Array(Self.vectorBody.utf8), header: Self.vectorSignature))
        #expect(!secret.verify(id: "msg_other", timestamp: Self.vectorTimestamp, body: Array(Self.vectorBody.utf8), header: Self.vectorSignature))
    }

    @Test func neverPrintsTheKey() throws {
        let secret = try StandardWebhookSecret(Self.vectorSecret)
        #expect("\(secret)" == "whsec_***")
        #expect(!String(reflecting: secret).contains("MfKQ9r8G"))
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("MfKQ9r8G"))
    }

    @Test func generatedSecretsRoundTrip() throws {
        let generated = StandardWebhookSecret.generate()
        #expect(generated.text.hasPrefix("whsec_"))
        #expect(generated.text != StandardWebhookSecret.generate().text)
        let parsed = try StandardWebhookSecret(generated.text)
        let body = Array("{}".utf8)
        let signature = generated.signature(id: "msg_1", timestamp: 1, body: body)
        #expect(parsed.verify(id: "msg_1", timestamp: 1, body: body, header: signature))
    }

    @Test(arguments: [
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  // no prefix
        "whsec_MfKQ9r8G!!!rTwjUPD8ILPZIo2LaLaSw",  // not base64
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZI",  // 21 bytes
        "whsec_",
    ])
    func rejectsBadSecrets(_ text: String) {
        let error = #expect(throws: GongkaiError.self) { try StandardWebhookSecret(text) }
        #expect(error?.code == .configuration)
        let secretPart = String(text.dropFirst(text.hasPrefix("whsec_") ? 6 : 0))
        if !secretPart.isEmpty {
            #expect(error?.description.contains(secretPart) == false)
        }
    }
}
