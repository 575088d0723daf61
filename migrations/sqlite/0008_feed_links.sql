-- arshjul schema (sqlite): secret, revocable calendar feed links (issue 10 item 6).
-- The URL is /ical/<secret>.ics; only the SHA-256 (hex) of the secret is kept, so a copy of
-- the database gives no working link. A feed is read with its creator's rights at the time
-- of each request (the people directory as it is then); revoking sets revoked_at.
CREATE TABLE feed_links (
    id           TEXT PRIMARY KEY,       -- a random handle to list and revoke by (not the secret)
    secret_hash  TEXT NOT NULL UNIQUE,
    email        TEXT NOT NULL,          -- who created it
    kind         TEXT NOT NULL,          -- person, role, unit
    organisation TEXT,                   -- role and unit feeds: the organisation, if named
    scope        TEXT NOT NULL,          -- the email, role id or unit id
    created_at   TEXT NOT NULL,          -- RFC 3339, UTC
    last_used_at TEXT,                   -- the latest fetch (written at most once an hour)
    revoked_at   TEXT
);
CREATE INDEX feed_links_email ON feed_links (lower(email));
