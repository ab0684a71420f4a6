-- Issue 16 item 8: several people in one appointment. Per service: for how many people one
-- appointment may be (1: one person only) and the minutes each extra person adds.
ALTER TABLE services ADD COLUMN max_people BIGINT NOT NULL DEFAULT 1;
ALTER TABLE services ADD COLUMN minutes_per_extra_person BIGINT NOT NULL DEFAULT 0;

-- The names of the extra people, with the appointment; erased with its personal data.
CREATE TABLE appointment_people (
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (appointment_id, position)
);

-- A resident's "annuleren" by text is written to the access log: action 'cancelled_by_text'.
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
        'found_by_clerk', 'found_by_resident', 'viewed_document', 'cancelled_by_text')),
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
