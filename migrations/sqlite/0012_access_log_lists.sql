-- Access logging of list views: a clerk who sees a resident in today's list or in the queue
-- is logged once per clerk, appointment and (the municipality's local) day. `list_day` is set
-- only for those list actions; the unique index lets the database drop a repeat, also when
-- two tabs or two server instances log the same view at once. NULLs are distinct, so the
-- other actions are not affected.
-- SQLite cannot change a CHECK constraint in place, so the table is copied.
CREATE TABLE access_log_new (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    at BIGINT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('opened_appointment', 'consulted_source', 'refused_source',
        'viewed_day_list', 'viewed_queue')),
    source TEXT,
    reason TEXT NOT NULL,
    -- YYYY-MM-DD in the municipality's time zone, for the list actions only.
    list_day TEXT
);
INSERT INTO access_log_new (id, tenant_id, appointment_id, clerk_id, at, action, source, reason)
    SELECT id, tenant_id, appointment_id, clerk_id, at, action, source, reason FROM access_log;
DROP TABLE access_log;
ALTER TABLE access_log_new RENAME TO access_log;
CREATE INDEX access_log_appointment ON access_log(appointment_id, at);
CREATE UNIQUE INDEX access_log_list_once_a_day ON access_log(appointment_id, clerk_id, action, list_day);
