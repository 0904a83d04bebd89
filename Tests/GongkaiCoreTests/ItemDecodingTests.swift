import Foundation
import Testing
@testable import GongkaiCore

@Suite struct ItemDecodingTests {
    let penalty = SampleDisclosures.penaltyOnNaturalPerson

    // MARK: Accepted forms

    @Test func singleObject() throws {
        let items = try ItemDecoding.decodeSubmission(jsonBytes(penalty))
        #expect(items == [penalty])
    }

    @Test func prettyPrintedObjectWithBOMAndCRLF() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var text = String(decoding: try encoder.encode(penalty), as: UTF8.self)
        text = text.replacingOccurrences(of: "\n", with: "\r\n")
        let items = try ItemDecoding.decodeSubmission([0xEF, 0xBB, 0xBF] + Array(text.utf8))
        #expect(items == [penalty])
    }

    @Test func arrayOfObjects() throws {
        let samples = SampleDisclosures.all
        let text = "[\n" + samples.map { String(decoding: jsonBytes($0), as: UTF8.self) }.joined(separator: ",\n") + "\n]"
        #expect(try ItemDecoding.decodeSubmission(jsonBytes(text)) == samples)
        #expect(try ItemDecoding.decodeSubmission(jsonBytes(" [ ] ")) == [])
    }

    @Test func jsonLinesWithBlankLines() throws {
        let samples = SampleDisclosures.all
        let lines = samples.map { String(decoding: jsonBytes($0), as: UTF8.self) }
        let text = lines[0] + "\n\n" + lines[1...].joined(separator: "\r\n") + "\n  \n"
        #expect(try ItemDecoding.decodeSubmission(jsonBytes(text)) == samples)
        let withBOM = [0xEF, 0xBB, 0xBF] + jsonBytes("\n" + lines[0] + "\n" + lines[1] + "\n")
        #expect(try ItemDecoding.decodeSubmission(withBOM) == Array(samples.prefix(2)))
    }

    @Test func escapesAndUnicode() throws {
        let text = jsonText(SampleDisclosures.notice) { $0["title"] = "关于\"防火\"\\通知 \u{1F332}" }
            .replacingOccurrences(of: "\u{1F332}", with: "\\ud83c\\udf32")
        let items = try ItemDecoding.decodeSubmission(jsonBytes(text))
        #expect(items.first?.title == "关于\"防火\"\\通知 \u{1F332}")
    }

    // MARK: Malformed JSON

    @Test func malformedSingleObjectReportsLineAndColumn() {
        let error = decodeError("{\n  \"id\": \"a\",\n  \"kind\": policy\n}")
        #expect(error?.code == .malformedJSON)
        #expect(error?.message.hasPrefix("malformed JSON at line 3, column 11:") == true)
        #expect(error?.field == nil)
    }

    @Test func malformedJSONLinesNamesTheLine() {
        let good = String(decoding: jsonBytes(SampleDisclosures.notice), as: UTF8.self)
        let error = decodeError(good + "\n\n" + "{\"id\": \"b\", }" + "\n" + good)
        #expect(error?.code == .malformedJSON)
        #expect(error?.message.hasPrefix("malformed JSON on line 3, column 13:") == true)
        #expect(error?.message.contains("trailing ','") == true)
    }

    @Test func malformedArrayNamesTheElement() {
        let good = String(decoding: jsonBytes(SampleDisclosures.notice), as: UTF8.self)
        let error = decodeError("[\n" + good + ",\n{\"id\": \"b\" \"kind\": 1}\n]")
        #expect(error?.code == .malformedJSON)
        #expect(error?.message.hasPrefix("malformed JSON in item [1] at line 3, column 12:") == true)
    }

    @Test func otherMalformedInput() {
        #expect(decodeError("")?.code == .malformedJSON)
        #expect(decodeError("  \n ")?.message.hasPrefix("submission is empty") == true)
        #expect(decodeError("\"just a string\"")?.code == .malformedJSON)
        #expect(decodeError("[1, 2]")?.message.hasPrefix("item [0] at line 1: expected a JSON object") == true)
        #expect(decodeError("{\"id\": \"a\"} {\"id\": \"b\"}")?.message.contains("JSON Lines") == true)
        #expect(decodeError("{\"id\": \"\\x\"}")?.message.contains("invalid escape") == true)
        #expect(decodeError("{\"id\": \"a\nb\"}")?.code == .malformedJSON)
        #expect(decodeError("{\"n\": 01}")?.message.contains("leading zeros") == true)
        #expect(decodeError("{\"n\": \"\\ud800\"}")?.message.contains("surrogate") == true)
        #expect(decodeError(String(repeating: "[", count: 100))?.message.contains("nesting") == true)
        #expect(decodeError("{\"id\": \"a\"")?.message.contains("end of input") == true)
        #expect(throws: GongkaiError.self) { try ItemDecoding.decodeSubmission([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]) }
    }

    @Test func oversizedSubmission() {
        do throws(GongkaiError) {
            _ = try ItemDecoding.decodeSubmission(jsonBytes(penalty), maxBytes: 100)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .oversized)
            #expect(error.field == nil)
        }
    }

    // MARK: Keys

    @Test func unknownNestedKeySuggestsTheRightOne() {
        let text = jsonText(SampleDisclosures.licence) { object in
            var subject = object["subject"] as! [String: Any]
            subject["creditcode"] = subject.removeValue(forKey: "creditCode")
            object["subject"] = subject
        }
        let error = decodeError(text)
        #expect(error?.code == .invalidField)
        #expect(error?.field == "subject.creditcode")
        #expect(error?.message == "unknown field \"creditcode\" in subject; did you mean creditCode?")
        #expect(error?.item == SampleDisclosures.licence.id)
    }

    @Test func unknownKeysEverywhere() {
        let top = decodeError(jsonText(penalty) { $0["publish_on"] = "2026-10-23" })
        #expect(top?.field == "publish_on")
        #expect(top?.message == "unknown field \"publish_on\"; did you mean publishOn?")

        let deep = decodeError(jsonText(penalty) { object in
            var detail = object["penalty"] as! [String: Any]
            var authority = detail["authority"] as! [String: Any]
            authority["cod"] = "x"
            detail["authority"] = authority
            object["penalty"] = detail
        })
        #expect(deep?.field == "penalty.authority.cod")
        #expect(deep?.message == "unknown field \"cod\" in penalty.authority; did you mean code?")

        let attachment = decodeError(jsonText(penalty) { object in
            object["attachments"] = [["name": "a", "url": "https://a.cn/a", "sha256": "x", "size": 3]]
        })
        #expect(attachment?.field == "attachments[0].size")

        let nothingLike = decodeError(jsonText(penalty) { $0["zzzzzzzz"] = 1 })
        #expect(nothingLike?.message == "unknown field \"zzzzzzzz\"")
    }

    @Test func duplicateKeysAreRejected() {
        let text = "{\"id\": \"a\", \"id\": \"b\"}"
        #expect(decodeError(text)?.field == "id")
        #expect(decodeError(text)?.message.contains("duplicate key") == true)
    }

    @Test func missingKeysNameTheDottedPath() {
        let title = decodeError(jsonText(penalty) { $0.removeValue(forKey: "title") })
        #expect(title?.code == .missingField)
        #expect(title?.field == "title")
        #expect(title?.item == penalty.id)

        let nested = decodeError(jsonText(penalty) { object in
            var subject = object["subject"] as! [String: Any]
            subject.removeValue(forKey: "name")
            object["subject"] = subject
        })
        #expect(nested?.code == .missingField)
        #expect(nested?.field == "subject.name")
        #expect(nested?.message == "missing required field \"subject.name\"")

        let deep = decodeError(jsonText(penalty) { object in
            var detail = object["penalty"] as! [String: Any]
            var source = detail["dataSource"] as! [String: Any]
            source.removeValue(forKey: "code")
            detail["dataSource"] = source
            object["penalty"] = detail
        })
        #expect(deep?.field == "penalty.dataSource.code")

        let attachment = decodeError(jsonText(penalty) { $0["attachments"] = [["name": "a", "url": "https://a.cn/a"]] })
        #expect(attachment?.code == .missingField)
        #expect(attachment?.field == "attachments[0].sha256")

        let null = decodeError(jsonText(penalty) { $0["body"] = NSNull() })
        #expect(null?.code == .missingField)
        #expect(null?.field == "body")
    }

    @Test func badEnumValuesListTheAllowedOnes() {
        let kind = decodeError(jsonText(penalty) { $0["kind"] = "memo" })
        #expect(kind?.code == .invalidField)
        #expect(kind?.field == "kind")
        #expect(kind?.message == "invalid value \"memo\" for kind; allowed: policy, normative, interpretation, notice, licence, penalty, result, consultation, feedback, response")

        let type = decodeError(jsonText(penalty) { object in
            var subject = object["subject"] as! [String: Any]
            subject["type"] = "个人"
            object["subject"] = subject
        })
        #expect(type?.field == "subject.type")
        #expect(type?.message.contains("allowed: 法人及非法人组织, 自然人, 个体工商户") == true)

        let attribute = decodeError(jsonText(penalty) { $0["attribute"] = "onRequest" })
        #expect(attribute?.message.contains("proactive, on-request, withheld") == true)

        let number = decodeError(jsonText(penalty) { $0["validity"] = 1 })
        #expect(number?.field == "validity")
        #expect(number?.message.contains("must be one of 有效, 失效, 废止, 已修改") == true)
    }

    @Test func typeMismatchesNameThePathAndTheType() {
        let fine = decodeError(jsonText(penalty) { object in
            var detail = object["penalty"] as! [String: Any]
            detail["fineAmount"] = "0.84"
            object["penalty"] = detail
        })
        #expect(fine?.code == .invalidField)
        #expect(fine?.field == "penalty.fineAmount")
        #expect(fine?.message == "\"penalty.fineAmount\" must be a number, got a string (\"0.84\")")

        let minor = decodeError(jsonText(penalty) { object in
            var subject = object["subject"] as! [String: Any]
            subject["minor"] = "yes"
            object["subject"] = subject
        })
        #expect(minor?.field == "subject.minor")
        #expect(minor?.message.contains("true or false") == true)

        let subject = decodeError(jsonText(penalty) { $0["subject"] = "李建国" })
        #expect(subject?.field == "subject")
        #expect(subject?.message.contains("an object") == true)

        let related = decodeError(jsonText(penalty) { $0["relatedTo"] = "x" })
        #expect(related?.field == "relatedTo")
        #expect(related?.message.contains("an array") == true)

        let types = decodeError(jsonText(penalty) { object in
            var detail = object["penalty"] as! [String: Any]
            detail["penaltyTypes"] = ["罚款", 3]
            object["penalty"] = detail
        })
        #expect(types?.field == "penalty.penaltyTypes[1]")
    }

    @Test func errorsInMultiItemSubmissionsSayWhichItem() {
        let good = String(decoding: jsonBytes(SampleDisclosures.notice), as: UTF8.self)
        let bad = jsonText(penalty) { $0["kind"] = "memo" }
        let array = decodeError("[\n" + good + ",\n" + good + ",\n" + bad + "\n]")
        #expect(array?.item == penalty.id)
        #expect(array?.field == "kind")
        #expect(array?.message.hasPrefix("item [2] at line 4: invalid value \"memo\"") == true)

        let lines = decodeError(good + "\n" + bad + "\n")
        #expect(lines?.item == penalty.id)
        #expect(lines?.message.hasPrefix("line 2: invalid value") == true)

        let noID = decodeError(good + "\n" + jsonText(penalty) { $0["id"] = 7 } + "\n")
        #expect(noID?.item == nil)
        #expect(noID?.field == "id")
        #expect(noID?.message.hasPrefix("line 2:") == true)
    }

    @Test func decodingDoesNotValidate() throws {
        let item = try ItemDecoding.decodeSubmission(jsonBytes(jsonText(penalty) { $0["title"] = "" }))
        #expect(item.first?.title == "")
    }

    /// The decoder's key table must match the model's coding keys exactly.
    @Test func acceptedKeysMatchTheModel() throws {
        var item = SampleDisclosures.penaltyOnNaturalPerson
        item.summary = "s"
        item.attachments = [DisclosureItem.Attachment(name: "a", url: "https://a.cn/a", sha256: "0")]
        item.genre = "g"
        item.withheldReason = "r"
        item.relatedTo = ["x"]
        item.subject?.creditCode = "c"
        item.subject?.businessRegistrationNumber = "b"
        item.subject?.organisationCode = "o"
        item.subject?.taxRegistrationNumber = "t"
        item.subject?.publicInstitutionCertificateNumber = "p"
        item.subject?.socialOrganisationCertificateNumber = "s"
        item.subject?.legalRepresentative = "l"
        item.subject?.legalRepresentativeIDType = "t"
        item.subject?.legalRepresentativeIDNumber = "n"
        item.subject?.minor = false
        item.penalty?.confiscatedAmount = 1
        item.penalty?.suspendedOrRevokedLicence = "z"
        item.penalty?.remarks = "r"
        item.licence = SampleDisclosures.licence.licence
        item.licence?.status = .valid
        item.licence?.remarks = "r"
        item.commentsUntil = "2026-12-01"
        item.majorDecision = true
        item.raisedOn = "2026-11-01"
        item.urgent = false
        let object = try JSONSerialization.jsonObject(with: Data(jsonBytes(item)))
        var paths: Set<String> = []
        func walk(_ value: Any, _ path: String) {
            if let dictionary = value as? [String: Any] {
                if !path.isEmpty { paths.insert(path) }
                for (key, child) in dictionary { walk(child, path.isEmpty ? key : "\(path).\(key)") }
            } else if let array = value as? [Any] {
                if let first = array.first { walk(first, path + "[]") }
            } else {
                paths.insert(path)
            }
        }
        walk(object, "")
        #expect(paths == ItemDecoding.acceptedKeyPaths)
    }
}
