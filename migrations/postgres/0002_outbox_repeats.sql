-- arshjul schema v2 (PostgreSQL): how many times a send was repeated because an earlier try
-- was cut off mid-send (crash, kill -9, lost lease). Such a repeat may reach the recipient
-- twice, with the same Message-ID; it is recorded here and shown by `arshjul outbox`.
ALTER TABLE outbox ADD COLUMN repeats BIGINT NOT NULL DEFAULT 0;
-- The status a row had when it was last claimed ('sending' = taken over from an interrupted try).
ALTER TABLE outbox ADD COLUMN claimed_from TEXT;
