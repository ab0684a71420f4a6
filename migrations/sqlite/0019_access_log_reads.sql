-- Issue 13 (finding 10): reading a resident's outcomes (with their delivery) or their choices
-- per information source is written to the access log too.
-- SQLite cannot change a CHECK constraint in place, so the table is copied. Dropping the old
-- table drops its append-only triggers without firing them; they are created again on the new
-- table below (as in 0014).
CREATE TABLE access_log_new (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    at BIGINT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('opened_appointment', 'consulted_source', 'refused_source',
        'viewed_day_list', 'viewed_queue', 'viewed_outcome', 'viewed_consent')),
    source TEXT,
    reason TEXT NOT NULL,
    -- YYYY-MM-DD in the municipality's time zone, for the list actions only.
    list_day TEXT
);
INSERT INTO access_log_new (id, tenant_id, appointment_id, clerk_id, at, action, source, reason, list_day)
    SELECT id, tenant_id, appointment_id, clerk_id, at, action, source, reason, list_day FROM access_log;
DROP TABLE access_log;
ALTER TABLE access_log_new RENAME TO access_log;
CREATE INDEX access_log_appointment ON access_log(appointment_id, at);
CREATE UNIQUE INDEX access_log_list_once_a_day ON access_log(appointment_id, clerk_id, action, list_day);

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;

CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;
