import GongkaiCore

/// Parses option values into domain values, with errors that name the option.
enum Parse {
    static func state(_ text: String) throws -> DeliveryState {
        guard let state = DeliveryState(rawValue: text) else {
            throw GongkaiError(
                .invalidField,
                "unknown state \"\(text)\"; states: \(DeliveryState.allCases.map(\.rawValue).joined(separator: ", "))",
                field: "state")
        }
        return state
    }

    static func time(_ text: String, now: Int64) throws -> Int64 {
        guard let value = Timestamp.parse(text, now: now) else {
            throw GongkaiError(.invalidField, "not a time: \"\(text)\" (use YYYY-MM-DD, ISO-8601 or -2h)", field: "since")
        }
        return value
    }

    static func date(_ text: String) throws -> CalendarDate {
        guard let day = CalendarDate(text) else {
            throw GongkaiError(.invalidField, "not a real date in YYYY-MM-DD: \"\(text)\"", field: "date")
        }
        return day
    }
}
