-- Schema version 7: failed logins are counted in the database, not in one process's memory, so
-- that several server processes behind one load balancer throttle together (an attacker
-- spreading attempts over them gains nothing) and a restart does not forgive them.
-- `key` names what is counted: "pair:<user> <address>", "account:<user>", "address:<address>",
-- "reported:<user>" (every failure, for the Projektbüro), "known:<user> <address>" (a
-- successful login there; `count` unused). Rows older than an hour are swept.

CREATE TABLE login_throttle (
    key     TEXT    PRIMARY KEY NOT NULL,
    count   INTEGER NOT NULL,
    last_ms INTEGER NOT NULL
);

CREATE INDEX login_throttle_last ON login_throttle (last_ms);
