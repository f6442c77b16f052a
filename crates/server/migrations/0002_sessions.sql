-- Schema version 2: accounts can be disabled; sessions carry times in Unix milliseconds so that
-- idle and absolute timeouts are plain integer comparisons. No session was ever written under
-- version 1 (there was no login), so the old sessions table is simply replaced.

ALTER TABLE accounts ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;

DROP TABLE IF EXISTS sessions;

-- Looked up by the SHA-256 of the cookie token; the token itself is never stored.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY NOT NULL,
    username   TEXT    NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    seen_ms    INTEGER NOT NULL
);

CREATE INDEX sessions_username ON sessions (username);
