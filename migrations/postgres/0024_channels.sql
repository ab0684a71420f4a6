-- Issue 16: residents without e-mail and clerks who book for callers (see the SQLite twin).
ALTER TABLE appointments ALTER COLUMN resident_email DROP NOT NULL;
ALTER TABLE appointments ADD CONSTRAINT appointments_contact_check
    CHECK (resident_email IS NOT NULL OR resident_phone IS NOT NULL);
ALTER TABLE appointments ADD COLUMN booking_code TEXT;
CREATE UNIQUE INDEX appointments_booking_code ON appointments(tenant_id, booking_code);
CREATE INDEX appointments_phone ON appointments(tenant_id, resident_phone);

CREATE TABLE appointment_links (
    link_hash TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX appointment_links_appointment ON appointment_links(appointment_id);

ALTER TABLE access_log ALTER COLUMN clerk_id DROP NOT NULL;
ALTER TABLE access_log DROP CONSTRAINT access_log_action_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_action_check CHECK (action IN
    ('opened_appointment', 'consulted_source', 'refused_source', 'viewed_day_list', 'viewed_queue',
     'viewed_outcome', 'viewed_consent', 'booked_by_clerk', 'rescheduled_by_clerk',
     'cancelled_by_clerk', 'resent_by_clerk', 'found_by_clerk', 'found_by_resident'));
