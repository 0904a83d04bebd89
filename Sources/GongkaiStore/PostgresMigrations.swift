/// The PostgreSQL schema: the same tables, columns and invariants as
/// ``SQLiteMigrations`` (NOT NULL, CHECK, foreign keys, unique, append-only
/// `attempt` and `audit`, immutable `item_version`).
///
/// Append-only: a shipped migration is never edited; a change is a new entry
/// at the end. Each entry is a list of statements run in one transaction, and
/// `gongkai_schema` records every version applied. Written in SQL, without app types.
enum PostgresMigrations {
    struct Migration {
        let version: Int
        let name: String
        let statements: [String]
    }

    /// The newest version this build knows.
    static var latest: Int { all.last?.version ?? 0 }

    static let createSchemaTable = """
        CREATE TABLE IF NOT EXISTS gongkai_schema (
            version INTEGER PRIMARY KEY CHECK (version >= 1),
            name TEXT NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """

    static let all: [Migration] = [
        Migration(
            version: 1, name: "outbox",
            statements: [
                """
                CREATE TABLE item (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('policy','normative','interpretation','notice','licence','penalty','result')),
                    category TEXT NOT NULL CHECK (category IN ('decision','execution','management','service','result')),
                    title TEXT NOT NULL,
                    current_version BIGINT NOT NULL CHECK (current_version >= 1),
                    content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
                    review TEXT NOT NULL CHECK (review IN ('approved','pending')),
                    attribute TEXT NOT NULL CHECK (attribute IN ('proactive','on-request','withheld')),
                    withdrawn_at BIGINT,
                    withdrawn_reason TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    -- The current version's legal publish deadline (YYYY-MM-DD, Beijing time), when known.
                    due_on TEXT,
                    -- The portal's article URL, once published: every channel links to it.
                    canonical_url TEXT,
                    -- Ids of related items, newline-separated (an interpretation's policy document).
                    related_to TEXT,
                    CHECK ((withdrawn_at IS NULL) = (withdrawn_reason IS NULL))
                )
                """,
                """
                CREATE TABLE item_version (
                    item_id TEXT NOT NULL REFERENCES item(id),
                    version BIGINT NOT NULL CHECK (version >= 1),
                    content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
                    document BYTEA NOT NULL,
                    public_document BYTEA NOT NULL,
                    submitted_by TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (item_id, version)
                )
                """,
                """
                CREATE TABLE delivery (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    item_id TEXT NOT NULL REFERENCES item(id),
                    channel_id TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending','sending','delivered','retrying','dead','withdrawn','skipped','blocked')),
                    operation TEXT NOT NULL CHECK (operation IN ('publish','withdraw')),
                    wanted_version BIGINT NOT NULL CHECK (wanted_version >= 1),
                    delivered_version BIGINT,
                    may_be_live BOOLEAN NOT NULL,
                    remote_id TEXT,
                    remote_url TEXT,
                    attempt_count BIGINT NOT NULL CHECK (attempt_count >= 0),
                    failure_streak BIGINT NOT NULL CHECK (failure_streak >= 0),
                    next_attempt_at BIGINT,
                    last_error TEXT,
                    hold_reason TEXT,
                    trigger TEXT NOT NULL CHECK (trigger IN ('scheduled','manual')),
                    lease_owner TEXT,
                    lease_expires_at BIGINT,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (item_id, channel_id),
                    CHECK ((state = 'sending') = (lease_owner IS NOT NULL)),
                    CHECK (state NOT IN ('pending','retrying','sending') OR next_attempt_at IS NOT NULL)
                )
                """,
                // Only the due rows are indexed, so the claim's index stays the size of the
                // queue however many delivered rows the outbox keeps.
                """
                CREATE INDEX delivery_due ON delivery (channel_id, next_attempt_at)
                    WHERE state IN ('pending','retrying','sending')
                """,
                """
                CREATE TABLE attempt (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    delivery_id BIGINT NOT NULL REFERENCES delivery(id),
                    item_id TEXT NOT NULL,
                    channel_id TEXT NOT NULL,
                    version BIGINT NOT NULL,
                    operation TEXT NOT NULL CHECK (operation IN ('publish','withdraw')),
                    trigger TEXT NOT NULL CHECK (trigger IN ('scheduled','manual')),
                    started_at BIGINT NOT NULL,
                    duration_ms BIGINT NOT NULL,
                    http_status BIGINT,
                    outcome TEXT NOT NULL CHECK (outcome IN ('ok','retryable','permanent','in-progress')),
                    error TEXT,
                    worker TEXT NOT NULL
                )
                """,
                "CREATE INDEX attempt_delivery ON attempt (delivery_id)",
                """
                CREATE TABLE audit (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    at BIGINT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    item_id TEXT,
                    channel_id TEXT,
                    detail TEXT
                )
                """,
                "CREATE INDEX audit_item ON audit (item_id)",
                """
                CREATE TABLE channel_state (
                    channel_id TEXT PRIMARY KEY,
                    paused BOOLEAN NOT NULL,
                    reason TEXT,
                    changed_at BIGINT NOT NULL,
                    changed_by TEXT NOT NULL
                )
                """,
                // The append-only tables refuse edits, so the log an auditor reads is the log written.
                """
                CREATE FUNCTION gongkai_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% is %', TG_TABLE_NAME, TG_ARGV[0] USING ERRCODE = 'restrict_violation';
                END
                $$
                """,
                """
                CREATE TRIGGER attempt_append_only BEFORE UPDATE OR DELETE ON attempt
                    FOR EACH ROW EXECUTE FUNCTION gongkai_refuse_change('append-only')
                """,
                """
                CREATE TRIGGER attempt_no_truncate BEFORE TRUNCATE ON attempt
                    FOR EACH STATEMENT EXECUTE FUNCTION gongkai_refuse_change('append-only')
                """,
                """
                CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
                    FOR EACH ROW EXECUTE FUNCTION gongkai_refuse_change('append-only')
                """,
                """
                CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
                    FOR EACH STATEMENT EXECUTE FUNCTION gongkai_refuse_change('append-only')
                """,
                """
                CREATE TRIGGER item_version_immutable BEFORE UPDATE ON item_version
                    FOR EACH ROW EXECUTE FUNCTION gongkai_refuse_change('immutable')
                """,
            ]),
        Migration(
            version: 2, name: "channel-lease",
            statements: [
                // One daemon at a time sends to a channel whose limits live in the sender
                // (rate limits, a robot's send window, a token): it holds this lease.
                """
                CREATE TABLE channel_lease (
                    channel_id TEXT PRIMARY KEY,
                    owner TEXT NOT NULL,
                    acquired_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL CHECK (expires_at >= acquired_at)
                )
                """,
            ]),
        Migration(
            version: 3, name: "channel-breaker",
            statements: [
                // A daemon whose circuit breaker opened says so, for the others and for `channels list`.
                """
                CREATE TABLE channel_breaker (
                    channel_id TEXT PRIMARY KEY,
                    opened_by TEXT NOT NULL,
                    opened_at BIGINT NOT NULL,
                    open_until BIGINT NOT NULL CHECK (open_until >= opened_at)
                )
                """,
            ]),
        Migration(
            version: 4, name: "api-token",
            statements: [
                // Bearer tokens of the HTTP API: only the SHA-256 of each token's secret part is kept.
                """
                CREATE TABLE api_token (
                    id TEXT PRIMARY KEY CHECK (length(id) = 12),
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
                    role TEXT NOT NULL CHECK (role IN ('submit','operate','read')),
                    secret_hash TEXT NOT NULL CHECK (length(secret_hash) = 64),
                    created_at BIGINT NOT NULL,
                    revoked_at BIGINT CHECK (revoked_at IS NULL OR revoked_at >= created_at)
                )
                """,
                "CREATE UNIQUE INDEX api_token_active_name ON api_token (name) WHERE revoked_at IS NULL",
            ]),
        Migration(
            version: 5, name: "attempt-abandoned",
            statements: [
                // A send cut off by its worker's end is logged as `abandoned` when its lease is reclaimed.
                """
                ALTER TABLE attempt DROP CONSTRAINT attempt_outcome_check,
                    ADD CONSTRAINT attempt_outcome_check
                        CHECK (outcome IN ('ok','retryable','permanent','in-progress','abandoned'))
                """,
            ]),
        Migration(
            version: 6, name: "worker-heartbeat",
            statements: [
                // Each daemon's sign of life: a dead one's leases are freed at once, not after the lease.
                """
                CREATE TABLE worker_heartbeat (
                    worker_id TEXT PRIMARY KEY,
                    host TEXT NOT NULL,
                    pid BIGINT NOT NULL,
                    started_at BIGINT NOT NULL,
                    beat_at BIGINT NOT NULL CHECK (beat_at >= started_at)
                )
                """,
            ]),
        Migration(
            version: 7, name: "consultation-kinds",
            statements: [
                // Consultations, their feedback and responses (issue 12 §3); a consultation's
                // adoption report due day (YYYY-MM-DD, Beijing working day) beside due_on.
                """
                ALTER TABLE item DROP CONSTRAINT item_kind_check,
                    ADD CONSTRAINT item_kind_check CHECK (kind IN (
                        'policy','normative','interpretation','notice','licence','penalty','result',
                        'consultation','feedback','response')),
                    ADD COLUMN feedback_due_on TEXT
                """,
            ]),
    ]
}
