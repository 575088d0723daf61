-- arshjul schema v4 (PostgreSQL): the web pages' key, sessions and sign-in links.
-- Secrets generated at first start (the HMAC key of the links in emails). Never shown.
CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Signed-in browsers: only the SHA-256 of the cookie's value is kept.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    created_at TEXT NOT NULL,      -- RFC 3339, UTC: the absolute timeout counts from here
    last_seen  TEXT NOT NULL       -- the idle timeout counts from here
);
CREATE INDEX sessions_email ON sessions (email);
-- Sign-in links sent by email: single use, short-lived; only a hash of the nonce is kept.
CREATE TABLE login_tokens (
    hash       TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
