public import GongkaiCore
import Foundation

/// The catalogue metadata (目录信息) the provincial disclosure platform
/// requires with every document, taken from the item.
///
/// The platform refuses a document without any of them, so the adapter
/// refuses first (nothing sent) with a message naming the field: 索引号,
/// 发布机构, 主题分类, 体裁分类, 成文日期, 发布日期, 有效性, 公开属性; 文号 where present.
public struct PlatformCatalogue: Sendable, Equatable, Encodable {
    /// 索引号 (`indexNumber`).
    public var indexNumber: String
    /// 发布机构 (`publisher.name`).
    public var publisher: String
    /// The publisher's 统一社会信用代码, where known.
    public var publisherCode: String?
    /// 主题分类 (`topic`).
    public var topic: String
    /// 体裁分类 (`genre`): optional in gongkai's item model, required here.
    public var genre: String
    /// 成文日期 (`writtenOn`).
    public var writtenOn: String
    /// 发布日期 (`publishOn`).
    public var publishOn: String
    /// 文号 (`documentNumber`), where the document has one.
    public var documentNumber: String?
    /// 有效性: 有效, 失效, 废止, 已修改.
    public var validity: String
    /// 公开属性: 主动公开 or 依申请公开.
    public var attribute: String

    /// A required catalogue field: the platform's key, the Chinese name and the item field it comes from.
    public struct Field: Sendable, Equatable {
        /// Key in the platform's `catalogue` object.
        public var key: String
        /// The Chinese catalogue name (体裁分类 …).
        public var label: String
        /// Where the value comes from in the item.
        public var itemField: String
    }

    /// The required fields, in the order they are checked.
    public static let requiredFields: [Field] = [
        Field(key: "indexNumber", label: "索引号", itemField: "indexNumber"),
        Field(key: "publisher", label: "发布机构", itemField: "publisher.name"),
        Field(key: "topic", label: "主题分类", itemField: "topic"),
        Field(key: "genre", label: "体裁分类", itemField: "genre"),
        Field(key: "writtenOn", label: "成文日期", itemField: "writtenOn"),
        Field(key: "publishOn", label: "发布日期", itemField: "publishOn"),
        Field(key: "validity", label: "有效性", itemField: "validity"),
        Field(key: "attribute", label: "公开属性", itemField: "attribute"),
    ]

    /// The catalogue of `item`, or the first missing field (in the order above).
    public static func make(from item: DisclosureItem) -> Result<PlatformCatalogue, MissingField> {
        func present(_ text: String?) -> String? {
            guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
            return text
        }
        let attribute: String?
        switch item.attribute {
        case .proactive: attribute = "主动公开"
        case .onRequest: attribute = "依申请公开"
        // 不予公开 never leaves the outbox; should one get here, it has no publishable attribute.
        case .withheld: attribute = nil
        }
        let values: [String?] = [
            present(item.indexNumber), present(item.publisher.name), present(item.topic), present(item.genre),
            present(item.writtenOn), present(item.publishOn), item.validity.rawValue, attribute,
        ]
        for (field, value) in zip(requiredFields, values) where value == nil {
            return .failure(MissingField(field: field))
        }
        return .success(
            PlatformCatalogue(
                indexNumber: item.indexNumber, publisher: item.publisher.name, publisherCode: present(item.publisher.code),
                topic: item.topic, genre: item.genre ?? "", writtenOn: item.writtenOn, publishOn: item.publishOn,
                documentNumber: present(item.documentNumber), validity: item.validity.rawValue, attribute: attribute ?? ""))
    }

    /// Why an item cannot go to the platform.
    public struct MissingField: Error, Sendable, Equatable {
        public var field: Field
        /// Names the field in Chinese and in the item model, and what to do.
        public var message: String {
            if field.key == "attribute" {
                return "the provincial platform requires 公开属性 (attribute) 主动公开 or 依申请公开; "
                    + "a 不予公开 (withheld) item is never published"
            }
            return "the provincial platform requires \(field.label) (\(field.itemField)) in the catalogue metadata "
                + "and the item has none; add `\(field.itemField)` and submit a new version"
        }
    }

    /// The keys of the platform's `catalogue` object (``requiredFields`` names
    /// the required ones); the optional ones are left out when unknown.
    enum CodingKeys: String, CodingKey {
        case indexNumber, publisher, publisherCode, topic, genre, writtenOn, publishOn, documentNumber, validity
        case attribute
    }
}
