#ifndef CSQLITETUNING_H
#define CSQLITETUNING_H

/// Sets SQLite's process-wide options for gongkai's outbox: multi-thread mode
/// (GRDB already serializes every connection, so SQLite's own per-connection
/// mutexes only cost time) and no memory statistics (which take a global
/// mutex on every allocation). `sqlite3_config` is variadic, which Swift
/// cannot call, hence this shim.
///
/// Must run before the process opens its first SQLite connection; afterwards
/// SQLite refuses the change (SQLITE_MISUSE) and keeps its defaults, which are
/// slower but equally correct. Returns SQLITE_OK (0) or SQLite's error code.
int gongkai_sqlite_configure(void);

#endif
