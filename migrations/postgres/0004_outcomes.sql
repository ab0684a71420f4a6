-- Call outcomes and their delivery to the municipality's case store (issue 6).
-- Times are UTC Unix seconds; integers are BIGINT so both dialects decode them as i64.

-- The results a clerk can pick for a service, in display order. A service without rows here
-- offers the default list (see `outcome::default_results`).
CREATE TABLE service_results (
    service_id TEXT NOT NULL REFERENCES services(id),
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (service_id, code)
);

-- Every recording and every correction is a new row (an event); nothing is overwritten.
-- (appointment_id, version) is unique, so two clerks correcting at once cannot both win.
CREATE TABLE outcomes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    version BIGINT NOT NULL CHECK (version >= 1),
    result_code TEXT NOT NULL,
    result_label TEXT NOT NULL,
    notes TEXT NOT NULL,
    follow_up TEXT NOT NULL CHECK (follow_up IN ('none', 'callback', 'new_appointment')),
    -- Local date YYYY-MM-DD, only for follow_up = 'callback'.
    callback_on TEXT,
    -- JSON array of strings.
    sources TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES clerks(id),
    recorded_at BIGINT NOT NULL,
    UNIQUE (appointment_id, version)
);

-- The transactional outbox: one row per outcome event, written in the same transaction as the
-- outcome. The row id is the event's idempotency key towards the case store.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    outcome_id TEXT NOT NULL UNIQUE REFERENCES outcomes(id),
    version BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failing')),
    attempts BIGINT NOT NULL DEFAULT 0,
    -- When a worker may try next; NULL once delivered, or when a refused delivery waits for
    -- an admin's retry.
    next_attempt_at BIGINT,
    last_error TEXT,
    -- A worker's claim; a claim that outlives its lease (the worker died) is taken over.
    lease_token TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_appointment ON outbox(appointment_id, version);
CREATE INDEX outbox_lease ON outbox(lease_token);

-- Which case store a municipality delivers to; no row means the built-in one.
CREATE TABLE case_store_settings (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    kind TEXT NOT NULL CHECK (kind IN ('builtin', 'zgw')),
    -- JSON of the adapter's settings (for ZGW: URLs, RSIN, client id and secret).
    config TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The built-in case store: one case per appointment, one event per delivered outcome event.
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT NOT NULL UNIQUE REFERENCES appointments(id),
    title TEXT NOT NULL,
    opened_at BIGINT NOT NULL
);
CREATE TABLE case_events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    -- The outbox event id; unique, so a redelivery adds nothing.
    idempotency_key TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL,
    -- JSON of the outcome as delivered.
    payload TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    stored_at BIGINT NOT NULL
);
CREATE INDEX case_events_case ON case_events(case_id, version);
