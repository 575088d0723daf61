-- arshjul schema v3 (SQLite): identity under plan edits.
-- A checkpoint with a report, approval or waiver that is gone from the definitions is kept
-- as it stands and marked as no longer in the plan (never cancelled silently).
ALTER TABLE checkpoints ADD COLUMN in_plan INTEGER NOT NULL DEFAULT 1;
-- Created by a sync when its due date had already passed (a plan written after the fact, a
-- period moved back): shown, reportable, but not mailed as long overdue.
ALTER TABLE checkpoints ADD COLUMN added_past_due INTEGER NOT NULL DEFAULT 0;
-- A recurring rule's occurrence whose generated id changed (its period or anchor moved) keeps
-- its stored id: the new generated id points at it.
CREATE TABLE checkpoint_aliases (
    alias      TEXT PRIMARY KEY,
    checkpoint TEXT NOT NULL
);
