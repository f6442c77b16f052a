-- Schema version 1 of the Lotsenfinder server (SPEC §7, §8).
-- `seq` is the server-wide change counter; it lives in meta so that purging rows never
-- lets it run backwards.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value NOT NULL
);

CREATE TABLE IF NOT EXISTS records (
    collection TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    updated_at TEXT    NOT NULL,
    updated_by TEXT    NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    data       TEXT    NOT NULL,
    owner_hash TEXT,
    PRIMARY KEY (collection, id)
);

CREATE UNIQUE INDEX IF NOT EXISTS records_seq ON records (seq);

-- Every push result, final per mutation_id, so that retries are idempotent.
CREATE TABLE IF NOT EXISTS mutations (
    mutation_id TEXT PRIMARY KEY NOT NULL,
    result      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Login accounts of Lotsen and the Projektbüro (used by the session endpoints).
CREATE TABLE IF NOT EXISTS accounts (
    username      TEXT PRIMARY KEY NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('lotse', 'buero')),
    lotse         TEXT,
    created_at    TEXT NOT NULL
);

-- Sessions are looked up by the SHA-256 of the cookie token; the token itself is never stored.
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    username   TEXT NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL
);
