-- Issue 16: residents without e-mail and clerks who book for callers.
-- * resident_email may be empty when the resident gave a phone number; one of the two is
--   required (CHECK).
-- * booking_code: a short code to read aloud, unique per municipality (existing appointments get
--   theirs from the application at start-up, `Db::backfill_booking_codes`).
-- * appointment_links: further personal links of an appointment (issued when a resident finds
--   the appointment with the code, or a clerk sends the confirmation again); only hashes.
-- * access_log: the resident's own acts (clerk_id empty) and the clerk's acts for a caller.
-- SQLite cannot drop NOT NULL or change a CHECK in place, so both tables are copied. Other
-- tables refer to appointments by name. With defer_foreign_keys on, dropping the old table
-- only counts the rows it orphans; inserting the same ids into the new table (same name, so
-- the references now point at it) counts them back, and sqlx's transaction commits only when
-- nothing is left orphaned. (Renaming the old table aside would rewrite the references.)
PRAGMA defer_foreign_keys = ON;

CREATE TABLE appointments_copy AS SELECT * FROM appointments;
DROP TABLE appointments;

CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
    sequence INTEGER NOT NULL DEFAULT 0,
    resident_name TEXT NOT NULL,
    resident_email TEXT,
    resident_phone TEXT,
    note TEXT,
    link_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    erased_at BIGINT,
    booking_code TEXT,
    CHECK (resident_email IS NOT NULL OR resident_phone IS NOT NULL)
);
INSERT INTO appointments (id, tenant_id, service_id, clerk_id, starts_at, ends_at, status,
    sequence, resident_name, resident_email, resident_phone, note, link_hash, created_at,
    updated_at, erased_at)
    SELECT id, tenant_id, service_id, clerk_id, starts_at, ends_at, status, sequence,
        resident_name, resident_email, resident_phone, note, link_hash, created_at, updated_at,
        erased_at FROM appointments_copy;
DROP TABLE appointments_copy;
CREATE INDEX appointments_tenant_start ON appointments(tenant_id, starts_at);
CREATE INDEX appointments_clerk_start ON appointments(clerk_id, starts_at);
CREATE INDEX appointments_retention ON appointments(tenant_id, erased_at, ends_at);
CREATE UNIQUE INDEX appointments_booking_code ON appointments(tenant_id, booking_code);
CREATE INDEX appointments_phone ON appointments(tenant_id, resident_phone);

CREATE TABLE appointment_links (
    link_hash TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX appointment_links_appointment ON appointment_links(appointment_id);

CREATE TABLE access_log_new (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    -- Empty when the resident acted (found the appointment with the code).
    clerk_id TEXT REFERENCES clerks(id),
    at BIGINT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('opened_appointment', 'consulted_source', 'refused_source',
        'viewed_day_list', 'viewed_queue', 'viewed_outcome', 'viewed_consent',
        'booked_by_clerk', 'rescheduled_by_clerk', 'cancelled_by_clerk', 'resent_by_clerk',
        'found_by_clerk', 'found_by_resident')),
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
