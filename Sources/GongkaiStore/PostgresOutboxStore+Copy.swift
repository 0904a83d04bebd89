import Foundation
import GongkaiCore
import Logging
import NIOCore
import PostgresNIO

/// PostgreSQL as the source and the target of `gongkai store copy`.
extension PostgresOutboxStore: OutboxRowSource, OutboxCopyTarget {
    public func rows(of table: OutboxTable, after key: [CopyValue]?, limit: Int) async throws -> [[CopyValue]] {
        try await translated("read \(table.rawValue)") {
            try await leased { connection in
                try await PostgresCopyRows(connection: connection, logger: logger).rows(of: table, after: key, limit: limit)
            }
        }
    }

    public func withCopyTransaction<T: Sendable>(_ body: (any OutboxRowSink) async throws -> T) async throws -> T {
        try await translated("copy into the outbox database") {
            // The pool's own wait, not `leased`: the body is not Sendable, and a copy is one command run by hand.
            try await client.withConnection { connection in
                try await connection.checkedQuery("BEGIN ISOLATION LEVEL SERIALIZABLE", logger: logger)
                let value: T
                do {
                    value = try await body(PostgresCopyRows(connection: connection, logger: logger))
                } catch {
                    _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
                    throw error
                }
                try await connection.checkedQuery("COMMIT", logger: logger)
                return value
            }
        }
    }
}

/// Rows read and written on one connection (inside the copy's transaction).
struct PostgresCopyRows: OutboxRowSink {
    let connection: PostgresConnection
    let logger: Logger

    func rows(of table: OutboxTable, after key: [CopyValue]?, limit: Int) async throws -> [[CopyValue]] {
        let columns = table.columns
        // Text keys compare byte by byte (COLLATE "C"), the order SQLite lists them in.
        let keys = columns.prefix(table.keyCount).map { $0.type == .text ? "\($0.name) COLLATE \"C\"" : $0.name }
        var bindings = PostgresBindings()
        var sql = "SELECT \(table.columnList) FROM \(table.rawValue)"
        if let key {
            sql += " WHERE (\(keys.joined(separator: ", "))) > ("
                + (1...key.count).map { "$\($0)" }.joined(separator: ", ") + ")"
            for (value, column) in zip(key, columns) { try Self.bind(value, as: column.type, into: &bindings) }
        }
        sql += " ORDER BY \(keys.joined(separator: ", ")) LIMIT \(limit)"
        var result: [[CopyValue]] = []
        for try await row in try await connection.checkedQuery(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) {
            var values: [CopyValue] = []
            values.reserveCapacity(columns.count)
            for (cell, column) in zip(row, columns) {
                switch column.type {
                case .text: values.append(try cell.decode(String?.self).map(CopyValue.text) ?? .null)
                case .integer: values.append(try cell.decode(Int64?.self).map(CopyValue.integer) ?? .null)
                case .boolean: values.append(try cell.decode(Bool?.self).map { .integer($0 ? 1 : 0) } ?? .null)
                case .blob:
                    values.append(try cell.decode(ByteBuffer?.self).map { .blob(Array($0.readableBytesView)) } ?? .null)
                }
            }
            result.append(values)
        }
        return result
    }

    func insert(_ rows: [[CopyValue]], into table: OutboxTable) async throws {
        let columns = table.columns
        // PostgreSQL takes at most 65,535 bound values per statement.
        let perStatement = max(1, 30_000 / columns.count)
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var bindings = PostgresBindings(capacity: chunk.count * columns.count)
            var tuples: [String] = []
            var number = 0
            for row in chunk {
                var placeholders: [String] = []
                for (value, column) in zip(row, columns) {
                    number += 1
                    placeholders.append("$\(number)")
                    try Self.bind(value, as: column.type, into: &bindings)
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            // Generated ids are copied as they are, so attempts still point at their deliveries.
            let overriding = table.hasGeneratedID ? " OVERRIDING SYSTEM VALUE" : ""
            let sql = "INSERT INTO \(table.rawValue) (\(table.columnList))\(overriding) VALUES " + tuples.joined(separator: ", ")
            try await connection.checkedQuery(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            start += chunk.count
        }
    }

    func finishImport() async throws {
        for table in OutboxTable.allCases where table.hasGeneratedID {
            try await connection.checkedQuery(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence('\(table.rawValue)', 'id'), COALESCE(max(id), 0) + 1, false)
                        FROM \(table.rawValue)
                        """), logger: logger)
        }
    }

    static func bind(_ value: CopyValue, as type: OutboxTable.ColumnType, into bindings: inout PostgresBindings) throws {
        switch (value, type) {
        case (.null, .text): bindings.append(String?.none)
        case (.null, .integer): bindings.append(Int64?.none)
        case (.null, .boolean): bindings.append(Bool?.none)
        case (.null, .blob): bindings.append(ByteBuffer?.none)
        case (.text(let text), .text): bindings.append(text)
        case (.integer(let number), .integer): bindings.append(number)
        case (.integer(let number), .boolean): bindings.append(number != 0)
        case (.blob(let bytes), .blob): bindings.append(ByteBuffer(bytes: bytes))
        case (.text(let text), .blob): bindings.append(ByteBuffer(string: text))
        default:
            throw GongkaiError(.store, "a \(type) column holds a value of another type in the source", field: "from")
        }
    }
}
