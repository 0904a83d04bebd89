package import GRDB
import GRDBSQLite

/// One of GRDB's cached statements, bound and stepped through SQLite's C API.
///
/// The claim/ack path uses it (and reconcile's listing spill, in GongkaiAudit): there every delivery costs a few
/// statements, and binding through `StatementArguments` (an array of
/// existentials) and reading through `Row` cost about as much as SQLite's own
/// work (measured with the bench's bookkeeping phase: 77 µs per delivery
/// through GRDB against 40–60 µs for the same statements from C). GRDB still
/// prepares, caches and finalizes the statement and owns the transaction.
package struct SQLiteStep: ~Copyable {
    private let handle: SQLiteStatement
    private let connection: SQLiteConnection?
    private let sql: String

    package init(_ db: Database, sql: String) throws {
        let statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
        self.sql = sql
    }

    deinit {
        // Leave the statement as GRDB expects to find it: not running, nothing bound.
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Binding (indices start at 1, as in SQL)

    package func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    package func bind(_ index: Int32, _ value: Int?) {
        bind(index, value.map(Int64.init))
    }

    package func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { bytes in
            _ = sqlite3_bind_text(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
        }
    }

    // MARK: Stepping

    /// True while there is a row to read; false when the statement is done.
    package func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "SQLite error \(code)"
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
        }
    }

    /// Runs a statement that returns no rows.
    package func run() throws {
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Ready for the next set of bindings (a reset keeps the bindings; every call rebinds all of them).
    package func reset() {
        sqlite3_reset(handle)
    }

    /// Rows changed by the last statement that ran on this connection.
    package var changes: Int32 {
        connection.map { sqlite3_changes($0) } ?? 0
    }

    // MARK: Columns (indices start at 0)

    package func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    package func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(handle, column))
    }

    package func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    package func optionalInt64(_ column: Int32) -> Int64? {
        isNull(column) ? nil : int64(column)
    }

    package func optionalInt(_ column: Int32) -> Int? {
        isNull(column) ? nil : int(column)
    }

    package func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    package func optionalString(_ column: Int32) -> String? {
        isNull(column) ? nil : string(column)
    }

    package func bytes(_ column: Int32) -> [UInt8] {
        guard let blob = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return [UInt8](UnsafeRawBufferPointer(start: blob, count: count))
    }

    /// SQLite copies the bound bytes: the Swift string's buffer does not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
