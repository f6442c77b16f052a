-- Schema version 6: the mail outbox. The mails a push causes are written in the push's own
-- transaction and delivered afterwards by the sender task, so that a crash loses none (a mail may
-- go out twice, with the same Message-ID, never zero times). A row names who and why by ids;
-- address and text are made when it is sent, so the outbox holds no copy of a request.

CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT    NOT NULL UNIQUE,
    -- "lotse:<id>", "buero" or "requester:<request id>"
    recipient       TEXT    NOT NULL,
    -- addressed, topic, buero, status, answer, digest
    reason          TEXT    NOT NULL,
    -- the request the mail is about; empty for a daily summary, whose requests are in `digest`
    request         TEXT    NOT NULL,
    note            TEXT,
    -- a daily summary's request ids (JSON array)
    digest          TEXT,
    created_at      TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    sent_at         TEXT,
    -- set when delivery was given up (a 5xx, no address): the reason, for the Projektbüro
    failed          TEXT,
    last_error      TEXT
);

-- When the last daily summary went out (Soest's date and the UTC time).
INSERT INTO meta (key, value) VALUES ('digest_date', ''), ('digest_at', '');

CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_ms)
    WHERE sent_at IS NULL AND failed IS NULL;

-- The few Lotsen who want each new request at once, found without reading every Lotse's JSON
-- (a push of a new request asks for them).
CREATE INDEX records_lotse_notify ON records (json_extract(data, '$.notify'))
    WHERE collection = 'lotsen';
