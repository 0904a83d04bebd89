/// Parses the text of an option or a query parameter into a domain value, with
/// an error that names the field: the CLI and the HTTP API parse the same way.
public enum Parse {
    public static func state(_ text: String, field: String = "state") throws(GongkaiError) -> DeliveryState {
        guard let state = DeliveryState(rawValue: text) else {
            throw GongkaiError(
                .invalidField,
                "unknown state \"\(text)\"; states: \(DeliveryState.allCases.map(\.rawValue).joined(separator: ", "))",
                field: field)
        }
        return state
    }

    public static func time(_ text: String, now: Int64, field: String = "since") throws(GongkaiError) -> Int64 {
        guard let value = Timestamp.parse(text, now: now) else {
            throw GongkaiError(.invalidField, "not a time: \"\(text)\" (use YYYY-MM-DD, ISO-8601 or -2h)", field: field)
        }
        return value
    }

    public static func date(_ text: String, field: String = "date") throws(GongkaiError) -> CalendarDate {
        guard let day = CalendarDate(text) else {
            throw GongkaiError(.invalidField, "not a real date in YYYY-MM-DD: \"\(text)\"", field: field)
        }
        return day
    }
}
