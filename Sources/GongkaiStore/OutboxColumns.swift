import Foundation
/// SQL that both backends spell alike: the column lists rows are read in (the
/// decoders in each backend read them by position) and the item upsert's
/// conflict clause, which SQLite and PostgreSQL share word for word.
enum OutboxColumns {
    static let delivery = """
        id, item_id, channel_id, state, operation, wanted_version, delivered_version, may_be_live, \
        remote_id, remote_url, attempt_count, failure_streak, next_attempt_at, last_error, hold_reason, \
        lease_owner, lease_expires_at, updated_at
        """

    static let item = """
        id, kind, category, title, current_version, content_hash, review, attribute, \
        withdrawn_at, withdrawn_reason, created_at, updated_at, due_on, canonical_url, related_to, feedback_due_on
        """

    /// Position of the first item column when a row is ``delivery`` then ``item``.
    static let itemAfterDelivery = 18

    /// The version columns read after ``item`` (position 16 on) by ``OutboxStore/itemVersions(kinds:after:limit:)``.
    static let versionAfterItem = "v.version, v.content_hash, v.document, v.public_document, v.submitted_by, v.created_at"

    /// Position of the first version column when a row is ``item`` then ``versionAfterItem``.
    static let versionColumnsStart = 16

    /// `columns` with each name qualified by `table` (for a join).
    static func prefixed(_ columns: String, _ table: String) -> String {
        columns.split(separator: ",").map { "\(table)." + $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: ", ")
    }

    /// An item written by a rule replaces every column but its id and creation time.
    static let itemUpsertConflict = """
        ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, category = excluded.category,
            title = excluded.title, current_version = excluded.current_version,
            content_hash = excluded.content_hash, review = excluded.review, attribute = excluded.attribute,
            withdrawn_at = excluded.withdrawn_at, withdrawn_reason = excluded.withdrawn_reason,
            updated_at = excluded.updated_at, due_on = excluded.due_on,
            canonical_url = excluded.canonical_url, related_to = excluded.related_to,
            feedback_due_on = excluded.feedback_due_on
        """
}
