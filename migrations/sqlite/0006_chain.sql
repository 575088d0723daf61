-- arshjul schema v6 (sqlite): the tamper-evident history (issue 10, store::chain).
-- Each event gets its place in its checkpoint's chain (ordinal, from 1) and its hash; the
-- checkpoint row keeps the chain's head. Events from before are linked by the back-fill
-- that runs in the same transaction after the migration files (store::migrate finds this file
-- by the marker on the next line, wherever it stands in the list).
-- arshjul:chain-backfill
ALTER TABLE events ADD COLUMN ordinal INTEGER;
ALTER TABLE events ADD COLUMN hash TEXT;
ALTER TABLE checkpoints ADD COLUMN chain_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE checkpoints ADD COLUMN chain_head TEXT;
-- Still append-only; the one update allowed is the back-fill's: writing the chain fields of
-- an event that has none, nothing else.
DROP TRIGGER events_no_update;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN OLD.hash IS NOT NULL OR NEW.seq IS NOT OLD.seq OR NEW.checkpoint IS NOT OLD.checkpoint OR NEW.at IS NOT OLD.at
  OR NEW.actor IS NOT OLD.actor OR NEW.reason IS NOT OLD.reason OR NEW.kind IS NOT OLD.kind OR NEW.data IS NOT OLD.data
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
