import Foundation

extension WorkCalendar {
    /// The State Council calendars compiled into gongkai, one `<YYYY>.yaml`
    /// of `Sources/GongkaiCore/Calendar` each (SwiftPM's `embedInCode`).
    ///
    /// Compiled in rather than copied as a resource bundle: `Bundle.module`
    /// looks for the bundle beside the executable and then at the absolute
    /// path of the build directory, so a binary installed on its own (the
    /// container image copies only `gongkai`) would stop with a fatal error at
    /// the first deadline. Compiled in, the calendar goes wherever the binary
    /// goes, whatever the working directory.
    ///
    /// SwiftPM names each file's bytes after the file with a leading digit
    /// made `_` (`2019.yaml` → `_019_yaml`), so each year is listed here by
    /// hand; a test checks the list against the directory.
    static let embeddedFiles: [(name: String, bytes: [UInt8])] = [
        ("2019.yaml", PackageResources._019_yaml),
        ("2020.yaml", PackageResources._020_yaml),
        ("2021.yaml", PackageResources._021_yaml),
        ("2022.yaml", PackageResources._022_yaml),
        ("2023.yaml", PackageResources._023_yaml),
        ("2024.yaml", PackageResources._024_yaml),
        ("2025.yaml", PackageResources._025_yaml),
        ("2026.yaml", PackageResources._026_yaml),
    ]

    /// The embedded years, parsed as files of a calendar directory are.
    public static func embeddedYears() throws(GongkaiError) -> [YearCalendar] {
        var years: [YearCalendar] = []
        for (name, bytes) in embeddedFiles {
            years.append(
                try YearCalendar.parse(
                    String(decoding: bytes, as: UTF8.self), file: "embedded \(name)", expectedYear: yearNamed(name)))
        }
        return years
    }

    /// The calendar gongkai counts deadlines with: the embedded years, with
    /// the `<YYYY>.yaml` files of `directory` added over them. A file for an
    /// embedded year replaces that year whole (a corrected or reissued
    /// notice); a file for another year adds it.
    ///
    /// - Parameter directory: the `calendar` setting. Nil, or a directory
    ///   that does not exist (yet), adds nothing: it is where an operator
    ///   puts next year's file, and the error for a missing year names it.
    /// - Throws: A `configuration` error for a file that cannot be read or parsed.
    public static func standard(adding directory: String? = nil) throws(GongkaiError) -> WorkCalendar {
        var years = try embeddedYears()
        if let directory, FileManager.default.fileExists(atPath: directory) {
            years += try Self.years(in: directory)
        }
        return WorkCalendar(years: years, addsYearsIn: directory)
    }
}
