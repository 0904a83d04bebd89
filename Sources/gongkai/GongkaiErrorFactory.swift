import GongkaiCore

/// Errors the command layer raises about its own input.
enum GongkaiErrorFactory {
    static func unreadable(_ path: String) -> GongkaiError {
        GongkaiError(.malformedJSON, "cannot read input file \(path)", field: "file")
    }

    static func oversized(_ limit: Int) -> GongkaiError {
        GongkaiError(.oversized, "the submission is larger than \(limit >> 20) MiB; split it", field: "file")
    }
}
