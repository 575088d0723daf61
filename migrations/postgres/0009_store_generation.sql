-- arshjul schema (PostgreSQL): a store-wide change counter for the web pages' caches.
-- Every change to what the overview shows (checkpoints, the people directory, failed
-- emails) bumps it in the same transaction, by trigger, whichever process writes (daemon,
-- CLI, web). A page cached under one value is stale as soon as the sum differs.
--
-- 256 slots, so concurrent writers do not queue on one row: a transaction takes a slot no
-- other running transaction holds (a transaction-scoped advisory lock, tried without
-- waiting, starting at its backend's slot) and keeps it to its end. With more slots than
-- connections (max_connections is 100 by default) a free one always exists, so the counter
-- adds no lock waits and no deadlocks; only past 256 concurrent writers would one wait.
-- The value read is sum(n): every committed bump raises it.
CREATE TABLE store_generation (
    slot INTEGER PRIMARY KEY,
    n    BIGINT NOT NULL
);
INSERT INTO store_generation (slot, n) SELECT g, 0 FROM generate_series(0, 255) AS g;

CREATE FUNCTION arshjul_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s integer := nullif(current_setting('arshjul.generation_slot', true), '')::integer;
    tries integer := 0;
BEGIN
    IF s IS NULL THEN
        s := pg_backend_pid() % 256;
        WHILE NOT pg_try_advisory_xact_lock(7262060, s) LOOP
            s := (s + 1) % 256;
            tries := tries + 1;
            IF tries >= 256 THEN
                PERFORM pg_advisory_xact_lock(7262060, s);
                EXIT;
            END IF;
        END LOOP;
        PERFORM set_config('arshjul.generation_slot', s::text, true);
    END IF;
    UPDATE store_generation SET n = n + 1 WHERE slot = s;
    RETURN NULL;
END
$$;

CREATE TRIGGER checkpoints_generation AFTER INSERT OR UPDATE OR DELETE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION arshjul_bump_generation();
CREATE TRIGGER people_generation AFTER INSERT OR UPDATE OR DELETE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION arshjul_bump_generation();
-- Outbox rows matter only as failed emails (row triggers: the condition needs the row).
CREATE TRIGGER outbox_generation_insert AFTER INSERT ON outbox
    FOR EACH ROW WHEN (NEW.status = 'failed') EXECUTE FUNCTION arshjul_bump_generation();
CREATE TRIGGER outbox_generation_update AFTER UPDATE ON outbox
    FOR EACH ROW WHEN (NEW.status = 'failed' OR OLD.status = 'failed') EXECUTE FUNCTION arshjul_bump_generation();
CREATE TRIGGER outbox_generation_delete AFTER DELETE ON outbox
    FOR EACH ROW WHEN (OLD.status = 'failed') EXECUTE FUNCTION arshjul_bump_generation();
