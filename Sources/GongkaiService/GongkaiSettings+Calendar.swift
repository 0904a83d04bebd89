import Foundation
public import GongkaiCore

extension GongkaiSettings {
    /// The embedded working-day calendar (2019–2026) with the years in ``calendar``, when
    /// that directory exists, added or replacing embedded ones. Optional for the callers
    /// that take one; it is always there now.
    public func workCalendar() throws(GongkaiError) -> WorkCalendar? {
        try WorkCalendar.standard(adding: calendar)
    }
}
