-- Schema version 3: the mutation log becomes a short-lived idempotency cache.
--
-- It kept every push result with a full copy of the record, forever: a requester's name and
-- contact outlived anonymisation (and went into every backup), and any device that resent a
-- mutation_id got the old record back. A row now holds only what answering a retry needs:
-- who sent it, the outcome, which record it touched, and a refusal's error. Rows expire (the
-- retention run). The old rows are dropped: a retry of one of them is decided afresh by
-- compare-and-swap, which is safe.

DROP TABLE mutations;

CREATE TABLE mutations (
    mutation_id TEXT    NOT NULL,
    -- Whose retries the row answers: "device:" or "account:" and a SHA-256 (hex), never the
    -- device key or the user name itself.
    actor       TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('applied', 'conflict', 'rejected')),
    -- The record an applied or conflicting mutation touched (a replay answers with it as the
    -- sender may see it now); NULL for a refusal.
    collection  TEXT,
    id          TEXT,
    -- A refusal's FieldError as JSON (code, German message, field): no record data.
    error       TEXT,
    -- UTC `YYYY-MM-DDThh:mm:ssZ` (fixed width: text order is time order).
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (mutation_id, actor)
);

CREATE INDEX mutations_created ON mutations (created_at);
CREATE INDEX mutations_record ON mutations (collection, id);
