import Foundation
import GongkaiCore
import GRDB

/// SQLite as the source of `gongkai store copy`.
extension SQLiteOutboxStore: OutboxRowSource {
    public func rows(of table: OutboxTable, after key: [CopyValue]?, limit: Int) async throws -> [[CopyValue]] {
        let keys = table.columns.prefix(table.keyCount).map(\.name)
        var sql = "SELECT \(table.columnList) FROM \(table.rawValue)"
        var arguments: [DatabaseValue] = []
        if let key {
            // Row values compare left to right, the order the key sorts in; TEXT compares as bytes.
            sql += " WHERE (\(keys.joined(separator: ", "))) > (\(keys.map { _ in "?" }.joined(separator: ", ")))"
            arguments = key.map { Self.databaseValue($0).databaseValue }
        }
        sql += " ORDER BY \(keys.joined(separator: ", ")) LIMIT \(limit)"
        let query = sql
        let statementArguments = StatementArguments(arguments.map { $0 as (any DatabaseValueConvertible)? })
        do {
            return try await writer.read { db in
                try Row.fetchAll(db, sql: query, arguments: statementArguments).map { row in
                    (0..<row.count).map { Self.copyValue(row[$0] as DatabaseValue) }
                }
            }
        } catch {
            throw GongkaiErrorFromStore.read(table.rawValue, error)
        }
    }

    static func copyValue(_ value: DatabaseValue) -> CopyValue {
        switch value.storage {
        case .null: return .null
        case .int64(let number): return .integer(number)
        case .double(let number): return .integer(Int64(number))
        case .string(let text): return .text(text)
        case .blob(let data): return .blob([UInt8](data))
        }
    }

    static func databaseValue(_ value: CopyValue) -> any DatabaseValueConvertible {
        switch value {
        case .null: return DatabaseValue.null
        case .integer(let number): return number
        case .text(let text): return text
        case .blob(let bytes): return Data(bytes)
        }
    }
}

/// The store error for a failed read, naming what was read and never the SQL's values.
enum GongkaiErrorFromStore {
    static func read(_ what: String, _ error: any Error) -> GongkaiError {
        if let error = error as? GongkaiError { return error }
        return GongkaiError(.store, "cannot read \(what): \(error)")
    }
}
