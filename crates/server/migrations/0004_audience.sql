-- Schema version 4: who besides the staff may see a record, so that an anonymous pull reads
-- only what it may see instead of scanning past everything it may not (a pull of `limit=1`
-- looked at up to 20,000 hidden rows). `audience` is 'public' for the directory (topics,
-- Lotsen, events), the owning device's hash for a request and for the notes on it (internal
-- ones too: the visibility rules still decide, this only narrows what is read), NULL for what
-- no anonymous caller sees (applications, requests handed in by staff).

ALTER TABLE records ADD COLUMN audience TEXT;

UPDATE records SET audience = 'public' WHERE collection IN ('topics', 'lotsen', 'events');
UPDATE records SET audience = owner_hash WHERE collection = 'requests';
UPDATE records SET audience = (
    SELECT r.owner_hash FROM records r
    WHERE r.collection = 'requests' AND r.id = json_extract(records.data, '$.request')
) WHERE collection = 'notes' AND deleted = 0;
UPDATE records SET audience = owner_hash WHERE collection = 'notes' AND deleted = 1;

CREATE INDEX records_audience ON records (audience, seq);
