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
    state        TEXT NOT NULL,
    policy       TEXT NOT NULL,
    report       TEXT,
    rescheduled  BIGINT NOT NULL DEFAULT 0,
    version      BIGINT NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL
);
CREATE INDEX checkpoints_state_due ON checkpoints (state, due);
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
