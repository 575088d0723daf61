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
    state        TEXT NOT NULL,
    policy       TEXT NOT NULL,    -- reminder policy, JSON
    report       TEXT,             -- latest report, JSON
    rescheduled  INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL
);
CREATE INDEX checkpoints_state_due ON checkpoints (state, due);
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
