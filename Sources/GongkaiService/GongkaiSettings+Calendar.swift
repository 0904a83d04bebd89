import Foundation
public import GongkaiCore

extension GongkaiSettings {
    /// The working-day calendar from ``calendar``, or nil when that directory
    /// does not exist (deadlines then show as unknown rather than failing the command).
    public func workCalendar() throws(GongkaiError) -> WorkCalendar? {
        FileManager.default.fileExists(atPath: calendar) ? try WorkCalendar.load(directory: calendar) : nil
    }
}
