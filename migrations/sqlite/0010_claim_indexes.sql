-- Issue 11: indexes on exactly what the delivery path reads, so no claim walks the rows
-- already sent. Partial indexes hold only the rows in that state: a claim reads the due
-- pending rows in (next_attempt_at, key) order from where its last claim ended, the
-- once-per-tick takeover reads the leased rows by lease_until, the overview reads the
-- failed rows by day. Marks go by primary key. The old (status, next_attempt_at) index
-- kept every sent row, and on PostgreSQL each claim walked the dead `sending` entries of
-- every row sent before it.
DROP INDEX IF EXISTS outbox_ready;
CREATE INDEX outbox_pending ON outbox (next_attempt_at, key) WHERE status = 'pending';
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE status = 'sending';
CREATE INDEX outbox_failed ON outbox (day) WHERE status = 'failed';
