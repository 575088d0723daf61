-- arshjul schema (SQLite): a store-wide change counter for the web pages' caches.
-- Every change to what the overview shows (checkpoints, the people directory, failed
-- emails) bumps it in the same transaction, by trigger, whichever process writes (daemon,
-- CLI, web). A page cached under one value is stale as soon as the value differs.
-- One slot on SQLite (writers are serialised by the database anyway); PostgreSQL has 256.
CREATE TABLE store_generation (
    slot INTEGER PRIMARY KEY,
    n    INTEGER NOT NULL
);
INSERT INTO store_generation (slot, n) VALUES (0, 0);

CREATE TRIGGER checkpoints_gen_insert AFTER INSERT ON checkpoints
BEGIN UPDATE store_generation SET n = n + 1 WHERE slot = 0; END;
CREATE TRIGGER checkpoints_gen_update AFTER UPDATE ON checkpoints
BEGIN UPDATE store_generation SET n = n + 1 WHERE slot = 0; END;
CREATE TRIGGER checkpoints_gen_delete AFTER DELETE ON checkpoints
BEGIN UPDATE store_generation SET n = n + 1 WHERE slot = 0; END;

CREATE TRIGGER people_gen_insert AFTER INSERT ON people
BEGIN UPDATE store_generation SET n = n + 1 WHERE slot = 0; END;
CREATE TRIGGER people_gen_update AFTER UPDATE ON people
BEGIN UPDATE store_generation SET n = n + 1 WHERE slot = 0; END;
CREATE TRIGGER people_gen_delete AFTER DELETE ON people
BEGIN UPDATE store_generation SET n = n + 1 WHERE slot = 0; END;

-- Outbox rows matter only as failed emails.
CREATE TRIGGER outbox_gen_insert AFTER INSERT ON outbox WHEN NEW.status = 'failed'
BEGIN UPDATE store_generation SET n = n + 1 WHERE slot = 0; END;
CREATE TRIGGER outbox_gen_update AFTER UPDATE ON outbox WHEN NEW.status = 'failed' OR OLD.status = 'failed'
BEGIN UPDATE store_generation SET n = n + 1 WHERE slot = 0; END;
CREATE TRIGGER outbox_gen_delete AFTER DELETE ON outbox WHEN OLD.status = 'failed'
BEGIN UPDATE store_generation SET n = n + 1 WHERE slot = 0; END;
