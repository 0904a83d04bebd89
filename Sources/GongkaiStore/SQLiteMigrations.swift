import GRDB

/// The SQLite schema. Append-only: a shipped migration is never edited;
/// a change is a new `registerMigration`. Written in SQL, without app types,
/// and with the invariants in the schema (NOT NULL, CHECK, foreign keys, unique).
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-outbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE item (
                        id TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('policy','normative','interpretation','notice','licence','penalty','result')),
                        category TEXT NOT NULL CHECK (category IN ('decision','execution','management','service','result')),
                        title TEXT NOT NULL,
                        current_version INTEGER NOT NULL CHECK (current_version >= 1),
                        content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
                        review TEXT NOT NULL CHECK (review IN ('approved','pending')),
                        attribute TEXT NOT NULL CHECK (attribute IN ('proactive','on-request','withheld')),
                        withdrawn_at INTEGER,
                        withdrawn_reason TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        CHECK ((withdrawn_at IS NULL) = (withdrawn_reason IS NULL))
                    ) STRICT;

                    CREATE TABLE item_version (
                        item_id TEXT NOT NULL REFERENCES item(id),
                        version INTEGER NOT NULL CHECK (version >= 1),
                        content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
                        document BLOB NOT NULL,
                        public_document BLOB NOT NULL,
                        submitted_by TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (item_id, version)
                    ) STRICT, WITHOUT ROWID;

                    CREATE TABLE delivery (
                        id INTEGER PRIMARY KEY,
                        item_id TEXT NOT NULL REFERENCES item(id),
                        channel_id TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('pending','sending','delivered','retrying','dead','withdrawn','skipped','blocked')),
                        operation TEXT NOT NULL CHECK (operation IN ('publish','withdraw')),
                        wanted_version INTEGER NOT NULL CHECK (wanted_version >= 1),
                        delivered_version INTEGER,
                        may_be_live INTEGER NOT NULL CHECK (may_be_live IN (0,1)),
                        remote_id TEXT,
                        remote_url TEXT,
                        attempt_count INTEGER NOT NULL CHECK (attempt_count >= 0),
                        failure_streak INTEGER NOT NULL CHECK (failure_streak >= 0),
                        next_attempt_at INTEGER,
                        last_error TEXT,
                        hold_reason TEXT,
                        trigger TEXT NOT NULL CHECK (trigger IN ('scheduled','manual')),
                        lease_owner TEXT,
                        lease_expires_at INTEGER,
                        updated_at INTEGER NOT NULL,
                        UNIQUE (item_id, channel_id),
                        CHECK ((state = 'sending') = (lease_owner IS NOT NULL)),
                        CHECK (state NOT IN ('pending','retrying','sending') OR next_attempt_at IS NOT NULL)
                    ) STRICT;
                    CREATE INDEX delivery_due ON delivery (channel_id, next_attempt_at)
                        WHERE state IN ('pending','retrying','sending');
                    -- No (channel_id, state) index: it would be rewritten on every state change of the
                    -- claim/ack path; counts and operator filters scan instead (measured: ~13 % of the
                    -- per-delivery write cost on a 2-core VM).

                    CREATE TABLE attempt (
                        id INTEGER PRIMARY KEY,
                        delivery_id INTEGER NOT NULL REFERENCES delivery(id),
                        item_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        operation TEXT NOT NULL CHECK (operation IN ('publish','withdraw')),
                        trigger TEXT NOT NULL CHECK (trigger IN ('scheduled','manual')),
                        started_at INTEGER NOT NULL,
                        duration_ms INTEGER NOT NULL,
                        http_status INTEGER,
                        outcome TEXT NOT NULL CHECK (outcome IN ('ok','retryable','permanent')),
                        error TEXT,
                        worker TEXT NOT NULL
                    ) STRICT;
                    -- By delivery, not by item: deliveries are claimed in id order, so the index
                    -- grows at its end instead of touching a random page per attempt.
                    CREATE INDEX attempt_delivery ON attempt (delivery_id);

                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY,
                        at INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        item_id TEXT,
                        channel_id TEXT,
                        detail TEXT
                    ) STRICT;
                    CREATE INDEX audit_item ON audit (item_id);

                    CREATE TABLE channel_state (
                        channel_id TEXT PRIMARY KEY NOT NULL,
                        paused INTEGER NOT NULL CHECK (paused IN (0,1)),
                        reason TEXT,
                        changed_at INTEGER NOT NULL,
                        changed_by TEXT NOT NULL
                    ) STRICT;

                    -- The append-only tables refuse edits, so the log an auditor reads is the log written.
                    CREATE TRIGGER attempt_append_only_update BEFORE UPDATE ON attempt
                        BEGIN SELECT RAISE(ABORT, 'attempt is append-only'); END;
                    CREATE TRIGGER attempt_append_only_delete BEFORE DELETE ON attempt
                        BEGIN SELECT RAISE(ABORT, 'attempt is append-only'); END;
                    CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
                        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
                    CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
                        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
                    CREATE TRIGGER item_version_immutable BEFORE UPDATE ON item_version
                        BEGIN SELECT RAISE(ABORT, 'item_version is immutable'); END;
                    """)
        }
        migrator.registerMigration("v2-platforms") { db in
            // The portal's article URL, once published, is the item's canonical URL; an
            // asynchronous publish (WeChat) records an `in-progress` attempt. SQLite cannot
            // widen a CHECK in place, so the attempt table is rebuilt with its rows, index
            // and append-only triggers.
            try db.execute(
                sql: """
                    ALTER TABLE item ADD COLUMN canonical_url TEXT;
                    -- The current version's legal publish deadline (YYYY-MM-DD, Beijing time), when known.
                    ALTER TABLE item ADD COLUMN due_on TEXT;
                    -- Ids of related items, newline-separated (an interpretation's policy document).
                    ALTER TABLE item ADD COLUMN related_to TEXT;

                    CREATE TABLE attempt_v2 (
                        id INTEGER PRIMARY KEY,
                        delivery_id INTEGER NOT NULL REFERENCES delivery(id),
                        item_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        operation TEXT NOT NULL CHECK (operation IN ('publish','withdraw')),
                        trigger TEXT NOT NULL CHECK (trigger IN ('scheduled','manual')),
                        started_at INTEGER NOT NULL,
                        duration_ms INTEGER NOT NULL,
                        http_status INTEGER,
                        outcome TEXT NOT NULL CHECK (outcome IN ('ok','retryable','permanent','in-progress')),
                        error TEXT,
                        worker TEXT NOT NULL
                    ) STRICT;
                    INSERT INTO attempt_v2 SELECT * FROM attempt;
                    DROP TABLE attempt;
                    ALTER TABLE attempt_v2 RENAME TO attempt;
                    CREATE INDEX attempt_delivery ON attempt (delivery_id);
                    CREATE TRIGGER attempt_append_only_update BEFORE UPDATE ON attempt
                        BEGIN SELECT RAISE(ABORT, 'attempt is append-only'); END;
                    CREATE TRIGGER attempt_append_only_delete BEFORE DELETE ON attempt
                        BEGIN SELECT RAISE(ABORT, 'attempt is append-only'); END;
                    """)
        }
        migrator.registerMigration("v3-channel-lease") { db in
            // One daemon at a time sends to a channel whose limits live in the sender
            // (rate limits, a robot's send window, a token): it holds this lease.
            try db.execute(
                sql: """
                    CREATE TABLE channel_lease (
                        channel_id TEXT PRIMARY KEY NOT NULL,
                        owner TEXT NOT NULL,
                        acquired_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL CHECK (expires_at >= acquired_at)
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v4-channel-breaker") { db in
            // A daemon whose circuit breaker opened says so, for the others and for `channels list`.
            try db.execute(
                sql: """
                    CREATE TABLE channel_breaker (
                        channel_id TEXT PRIMARY KEY NOT NULL,
                        opened_by TEXT NOT NULL,
                        opened_at INTEGER NOT NULL,
                        open_until INTEGER NOT NULL CHECK (open_until >= opened_at)
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v5-api-token") { db in
            // Bearer tokens of the HTTP API: only the SHA-256 of each token's secret part is kept.
            try db.execute(
                sql: """
                    CREATE TABLE api_token (
                        id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 12),
                        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
                        role TEXT NOT NULL CHECK (role IN ('submit','operate','read')),
                        secret_hash TEXT NOT NULL CHECK (length(secret_hash) = 64),
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER CHECK (revoked_at IS NULL OR revoked_at >= created_at)
                    ) STRICT;
                    CREATE UNIQUE INDEX api_token_active_name ON api_token (name) WHERE revoked_at IS NULL;
                    """)
        }
        migrator.registerMigration("v6-attempt-abandoned") { db in
            // A send cut off by its worker's end is logged as `abandoned` when its lease is
            // reclaimed. The CHECK widens the way v2-platforms widened it: the table is rebuilt.
            try db.execute(
                sql: """
                    CREATE TABLE attempt_v6 (
                        id INTEGER PRIMARY KEY,
                        delivery_id INTEGER NOT NULL REFERENCES delivery(id),
                        item_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        operation TEXT NOT NULL CHECK (operation IN ('publish','withdraw')),
                        trigger TEXT NOT NULL CHECK (trigger IN ('scheduled','manual')),
                        started_at INTEGER NOT NULL,
                        duration_ms INTEGER NOT NULL,
                        http_status INTEGER,
                        outcome TEXT NOT NULL CHECK (outcome IN ('ok','retryable','permanent','in-progress','abandoned')),
                        error TEXT,
                        worker TEXT NOT NULL
                    ) STRICT;
                    INSERT INTO attempt_v6 SELECT * FROM attempt;
                    DROP TABLE attempt;
                    ALTER TABLE attempt_v6 RENAME TO attempt;
                    CREATE INDEX attempt_delivery ON attempt (delivery_id);
                    CREATE TRIGGER attempt_append_only_update BEFORE UPDATE ON attempt
                        BEGIN SELECT RAISE(ABORT, 'attempt is append-only'); END;
                    CREATE TRIGGER attempt_append_only_delete BEFORE DELETE ON attempt
                        BEGIN SELECT RAISE(ABORT, 'attempt is append-only'); END;
                    """)
        }
        migrator.registerMigration("v7-worker-heartbeat") { db in
            // Each daemon's sign of life: a dead one's leases are freed at once, not after the lease.
            try db.execute(
                sql: """
                    CREATE TABLE worker_heartbeat (
                        worker_id TEXT PRIMARY KEY NOT NULL,
                        host TEXT NOT NULL,
                        pid INTEGER NOT NULL,
                        started_at INTEGER NOT NULL,
                        beat_at INTEGER NOT NULL CHECK (beat_at >= started_at)
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v8-consultation-kinds") { db in
            // Consultations, their feedback and responses (issue 12 §3) widen the kind CHECK,
            // which SQLite cannot do in place: the item table is rebuilt with its rows (foreign
            // keys are checked once the migration is done, so item_version and delivery keep
            // pointing at it). A consultation's feedback due day gets a column beside due_on.
            try db.execute(
                sql: """
                    CREATE TABLE item_v8 (
                        id TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('policy','normative','interpretation','notice','licence','penalty','result','consultation','feedback','response')),
                        category TEXT NOT NULL CHECK (category IN ('decision','execution','management','service','result')),
                        title TEXT NOT NULL,
                        current_version INTEGER NOT NULL CHECK (current_version >= 1),
                        content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
                        review TEXT NOT NULL CHECK (review IN ('approved','pending')),
                        attribute TEXT NOT NULL CHECK (attribute IN ('proactive','on-request','withheld')),
                        withdrawn_at INTEGER,
                        withdrawn_reason TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        canonical_url TEXT,
                        due_on TEXT,
                        related_to TEXT,
                        -- A consultation's adoption report due day (YYYY-MM-DD, Beijing working day), when known.
                        feedback_due_on TEXT,
                        CHECK ((withdrawn_at IS NULL) = (withdrawn_reason IS NULL))
                    ) STRICT;
                    INSERT INTO item_v8 (
                        id, kind, category, title, current_version, content_hash, review, attribute, withdrawn_at,
                        withdrawn_reason, created_at, updated_at, canonical_url, due_on, related_to)
                    SELECT id, kind, category, title, current_version, content_hash, review, attribute, withdrawn_at,
                        withdrawn_reason, created_at, updated_at, canonical_url, due_on, related_to FROM item;
                    DROP TABLE item;
                    ALTER TABLE item_v8 RENAME TO item;
                    """)
        }
        return migrator
    }
}
