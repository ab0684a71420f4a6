-- Issue 8, privacy: the information sources a service may need, the resident's consent per
-- source (every change a new row) and the append-only access log.
-- Times are UTC Unix seconds; integers are BIGINT so both dialects decode them as i64.

-- Per service, what a clerk may need to look up, in display order, with a plain reason.
CREATE TABLE service_sources (
    service_id TEXT NOT NULL REFERENCES services(id),
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    reason TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (service_id, code)
);

-- The resident's choices. Never updated: the latest row per (appointment, source) is in force,
-- the older rows are the history the issue asks to keep.
CREATE TABLE consent_choices (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    source_code TEXT NOT NULL,
    choice TEXT NOT NULL CHECK (choice IN ('municipality', 'self', 'not_needed')),
    chosen_at BIGINT NOT NULL,
    -- Orders two choices within one second; unique, so two concurrent changes cannot tie.
    seq BIGINT NOT NULL,
    UNIQUE (appointment_id, seq)
);

-- Who looked at or used what, when and why. The application only inserts into this table.
CREATE TABLE access_log (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    at BIGINT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('opened_appointment', 'consulted_source', 'refused_source')),
    -- The source's label for the source actions.
    source TEXT,
    reason TEXT NOT NULL
);
CREATE INDEX access_log_appointment ON access_log(appointment_id, at);
