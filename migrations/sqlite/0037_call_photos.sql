-- Issue 22 item 2: a clerk taking a photo of a document during the call (with the resident's yes
-- each time) is written to the access log: action 'took_photo'.
-- SQLite cannot change a CHECK constraint in place, so the table is copied (as in 0030).
CREATE TABLE access_log_new (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    clerk_id TEXT REFERENCES clerks(id),
    at BIGINT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('opened_appointment', 'consulted_source', 'refused_source',
        'viewed_day_list', 'viewed_queue', 'viewed_outcome', 'viewed_consent',
        'booked_by_clerk', 'rescheduled_by_clerk', 'cancelled_by_clerk', 'resent_by_clerk',
        'found_by_clerk', 'found_by_resident', 'viewed_document', 'cancelled_by_text', 'took_photo')),
    source TEXT,
    reason TEXT NOT NULL,
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
