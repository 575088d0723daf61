-- arshjul schema v6 (postgres): the tamper-evident history (issue 10, store::chain).
-- Each event gets its place in its checkpoint's chain (ordinal, from 1) and its hash; the
-- checkpoint row keeps the chain's head. Events from before are linked by the back-fill
-- that runs in the same transaction after the migration files (store::migrate finds this file
-- by the marker on the next line, wherever it stands in the list).
-- arshjul:chain-backfill
ALTER TABLE events ADD COLUMN ordinal BIGINT, ADD COLUMN hash TEXT;
ALTER TABLE checkpoints ADD COLUMN chain_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN chain_head TEXT;
-- Still append-only; the one update allowed is the back-fill's: writing the chain fields of
-- an event that has none, nothing else.
CREATE OR REPLACE FUNCTION arshjul_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.seq = OLD.seq AND NEW.checkpoint = OLD.checkpoint
     AND NEW.at = OLD.at AND NEW.actor = OLD.actor AND NEW.reason IS NOT DISTINCT FROM OLD.reason
     AND NEW.kind = OLD.kind AND NEW.data = OLD.data THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'events are append-only';
END $$;
