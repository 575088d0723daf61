-- arshjul schema v1 (SQLite). Checkpoint rows hold the current standing, derived from the
-- append-only events (and rebuildable from them); nothing is ever deleted.
CREATE TABLE IF NOT EXISTS arshjul_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE checkpoints (
    id           TEXT PRIMARY KEY,
    organisation TEXT NOT NULL,
    plan         TEXT,
    initiative   TEXT,
    part         INTEGER,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    owner_role   TEXT NOT NULL,
    unit         TEXT,
    parent       TEXT,
    label        TEXT,
    school_break TEXT,
    due          TEXT,             -- current due date (YYYY-MM-DD); NULL = fortlöpande
    defined_due  TEXT,             -- the due date the definitions give
    remind_from  TEXT,             -- first day a reminder step can fall on (due − longest lead time)
    state        TEXT NOT NULL,
    policy       TEXT NOT NULL,    -- reminder policy, JSON
    report       TEXT,             -- latest report, JSON
    rescheduled  INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL
);
CREATE INDEX checkpoints_state_due ON checkpoints (state, due);
CREATE INDEX checkpoints_remind ON checkpoints (state, remind_from);
CREATE INDEX checkpoints_owner ON checkpoints (owner_role, unit);

CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    checkpoint TEXT NOT NULL,
    at         TEXT NOT NULL,      -- RFC 3339, UTC
    actor      TEXT NOT NULL,
    reason     TEXT,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL       -- the event, JSON
);
CREATE INDEX events_checkpoint ON events (checkpoint, seq);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

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
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_owner     TEXT,
    lease_until     TEXT,
    last_error      TEXT,
    sent_at         TEXT
);
CREATE INDEX outbox_ready ON outbox (status, next_attempt_at);
