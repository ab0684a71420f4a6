-- Issue 22: documents a resident supplies before the call, one per appointment and information
-- source (replacing one overwrites the row). `content` is the checked copy (domain/document.rs),
-- sealed with the platform's key (adapters/sealed.rs); it becomes NULL when the platform's copy
-- is erased (after delivery to a ZGW Documenten API, or after the retention period), while the
-- row stays so the resident can still see what they supplied and where it went.
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    source_code TEXT NOT NULL,
    source_label TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('jpeg', 'png', 'pdf')),
    size_bytes BIGINT NOT NULL,
    content BYTEA,
    uploaded_at BIGINT NOT NULL,
    -- 'builtin', or the URL of the informatieobject in the Documenten API.
    delivered_to TEXT,
    delivered_at BIGINT,
    erased_at BIGINT,
    UNIQUE (appointment_id, source_code)
);
CREATE INDEX documents_tenant ON documents(tenant_id, appointment_id);

-- A clerk opening a document is written to the access log: action 'viewed_document'.
ALTER TABLE access_log DROP CONSTRAINT access_log_action_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_action_check CHECK (action IN
    ('opened_appointment', 'consulted_source', 'refused_source', 'viewed_day_list', 'viewed_queue',
     'viewed_outcome', 'viewed_consent', 'booked_by_clerk', 'rescheduled_by_clerk',
     'cancelled_by_clerk', 'resent_by_clerk', 'found_by_clerk', 'found_by_resident',
     'viewed_document'));
