-- Schema version 7 (see ../0007_login_throttle.sql): failed logins counted in the database, so
-- that every server process throttles the same attempts.

CREATE TABLE login_throttle (
    key     TEXT COLLATE "C" PRIMARY KEY,
    count   BIGINT NOT NULL,
    last_ms BIGINT NOT NULL
);

CREATE INDEX login_throttle_last ON login_throttle (last_ms);
