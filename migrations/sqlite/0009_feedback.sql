-- Issue 8, feedback: the resident's rating (1-10) and optional comment after the call; a
-- comment marked as a complaint is on the municipality's follow-up list until handled.
CREATE TABLE feedback (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    -- One per appointment.
    appointment_id TEXT NOT NULL UNIQUE REFERENCES appointments(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    rating BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 10),
    comment TEXT NOT NULL,
    complaint INTEGER NOT NULL DEFAULT 0,
    given_at BIGINT NOT NULL,
    handled_at BIGINT,
    handled_by TEXT REFERENCES clerks(id),
    handled_note TEXT
);
CREATE INDEX feedback_tenant_complaints ON feedback(tenant_id, complaint, handled_at);
CREATE INDEX feedback_service_given ON feedback(service_id, given_at);
