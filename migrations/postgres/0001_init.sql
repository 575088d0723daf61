-- arshjul schema v1 (PostgreSQL). Same shape as the SQLite schema.
CREATE TABLE IF NOT EXISTS arshjul_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE checkpoints (
    id           TEXT PRIMARY KEY,
    organisation TEXT NOT NULL,
    plan         TEXT,
    initiative   TEXT,
    part         BIGINT,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    owner_role   TEXT NOT NULL,
    unit         TEXT,
    parent       TEXT,
    label        TEXT,
    school_break TEXT,
    due          TEXT,
    defined_due  TEXT,
    remind_from  TEXT,
    state        TEXT NOT NULL,
    policy       TEXT NOT NULL,
    report       TEXT,
    rescheduled  BIGINT NOT NULL DEFAULT 0,
    version      BIGINT NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL
);
CREATE INDEX checkpoints_state_due ON checkpoints (state, due);
CREATE INDEX checkpoints_remind ON checkpoints (state, remind_from);
CREATE INDEX checkpoints_owner ON checkpoints (owner_role, unit);

CREATE TABLE events (
    seq        BIGSERIAL PRIMARY KEY,
    checkpoint TEXT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX events_checkpoint ON events (checkpoint, seq);

CREATE FUNCTION arshjul_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
FOR EACH ROW EXECUTE FUNCTION arshjul_events_append_only();

-- The people directory: who holds which role (per unit where the role is per unit; '' = none).
CREATE TABLE people (
    organisation TEXT NOT NULL,
    role         TEXT NOT NULL,
    unit         TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    email        TEXT NOT NULL,
    PRIMARY KEY (organisation, role, unit, email)
);

-- Which reminder step went to whom: at most once per (checkpoint, step, recipient).
CREATE TABLE reminders (
    checkpoint TEXT NOT NULL,
    step       TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    outbox_key TEXT NOT NULL,
    PRIMARY KEY (checkpoint, step, recipient)
);

-- One digest email per person per day, sent through a lease so that several daemons
-- share the work and a crash mid-send is retried (same Message-ID) and recorded.
CREATE TABLE outbox (
    key             TEXT PRIMARY KEY,      -- recipient|day
    recipient       TEXT NOT NULL,
    day             TEXT NOT NULL,
    send_at         TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    payload         TEXT NOT NULL,         -- the digest, JSON
    status          TEXT NOT NULL,         -- pending, sending, sent, failed
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_owner     TEXT,
    lease_until     TEXT,
    last_error      TEXT,
    sent_at         TEXT
);
CREATE INDEX outbox_ready ON outbox (status, next_attempt_at);
