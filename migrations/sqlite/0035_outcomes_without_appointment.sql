-- Issue 21: a walk-in (a queue entry without appointment) and a callback request get an
-- outcome too, into the same outbox and case store. An outcome, its outbox event and a case
-- belong to exactly one of an appointment, a queue entry or a callback request (CHECK).
-- SQLite cannot drop NOT NULL or add a CHECK in place, so the three tables are copied back
-- under their own names (as in 0024): with defer_foreign_keys on, dropping a table counts the
-- rows it orphans (outbox -> outcomes, case_events -> cases) and inserting the same ids counts
-- them back before the migration's transaction commits.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE outcomes_copy AS SELECT * FROM outcomes;
CREATE TABLE outbox_copy AS SELECT * FROM outbox;
CREATE TABLE cases_copy AS SELECT * FROM cases;
DROP TABLE outbox;
DROP TABLE outcomes;
DROP TABLE cases;

CREATE TABLE outcomes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT REFERENCES appointments(id),
    queue_entry_id TEXT REFERENCES queue_entries(id),
    callback_id TEXT REFERENCES callback_requests(id),
    version BIGINT NOT NULL CHECK (version >= 1),
    result_code TEXT NOT NULL,
    result_label TEXT NOT NULL,
    notes TEXT NOT NULL,
    follow_up TEXT NOT NULL CHECK (follow_up IN ('none', 'callback', 'new_appointment')),
    callback_on TEXT,
    sources TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES clerks(id),
    recorded_at BIGINT NOT NULL,
    CHECK ((appointment_id IS NOT NULL) + (queue_entry_id IS NOT NULL) + (callback_id IS NOT NULL) = 1),
    UNIQUE (appointment_id, version),
    UNIQUE (queue_entry_id, version),
    UNIQUE (callback_id, version)
);
INSERT INTO outcomes (id, tenant_id, appointment_id, version, result_code, result_label, notes,
    follow_up, callback_on, sources, recorded_by, recorded_at)
    SELECT id, tenant_id, appointment_id, version, result_code, result_label, notes, follow_up,
        callback_on, sources, recorded_by, recorded_at FROM outcomes_copy;

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT REFERENCES appointments(id),
    queue_entry_id TEXT REFERENCES queue_entries(id),
    callback_id TEXT REFERENCES callback_requests(id),
    outcome_id TEXT NOT NULL UNIQUE REFERENCES outcomes(id),
    version BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failing')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    last_error TEXT,
    lease_token TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT,
    CHECK ((appointment_id IS NOT NULL) + (queue_entry_id IS NOT NULL) + (callback_id IS NOT NULL) = 1)
);
INSERT INTO outbox (id, tenant_id, appointment_id, outcome_id, version, state, attempts,
    next_attempt_at, last_error, lease_token, lease_until, created_at, delivered_at)
    SELECT id, tenant_id, appointment_id, outcome_id, version, state, attempts, next_attempt_at,
        last_error, lease_token, lease_until, created_at, delivered_at FROM outbox_copy;
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_appointment ON outbox(appointment_id, version);
CREATE INDEX outbox_queue_entry ON outbox(queue_entry_id, version);
CREATE INDEX outbox_callback ON outbox(callback_id, version);
CREATE INDEX outbox_lease ON outbox(lease_token);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT UNIQUE REFERENCES appointments(id),
    queue_entry_id TEXT UNIQUE REFERENCES queue_entries(id),
    callback_id TEXT UNIQUE REFERENCES callback_requests(id),
    title TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    CHECK ((appointment_id IS NOT NULL) + (queue_entry_id IS NOT NULL) + (callback_id IS NOT NULL) = 1)
);
INSERT INTO cases (id, tenant_id, appointment_id, title, opened_at)
    SELECT id, tenant_id, appointment_id, title, opened_at FROM cases_copy;

DROP TABLE outcomes_copy;
DROP TABLE outbox_copy;
DROP TABLE cases_copy;
