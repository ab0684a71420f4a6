-- A resident may leave the queue (issue 4): status 'left'. SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt with the same columns, data and indexes (no
-- other table refers to queue_entries).
CREATE TABLE queue_entries_new (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    appointment_id TEXT UNIQUE REFERENCES appointments(id),
    due_at BIGINT,
    joined_at BIGINT NOT NULL,
    resident_name TEXT NOT NULL,
    resident_phone TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'answered', 'done', 'missed', 'left')),
    clerk_id TEXT REFERENCES clerks(id),
    room_id TEXT,
    called_at BIGINT,
    first_called_at BIGINT,
    answered_at BIGINT,
    -- When the clerk finished, or when the resident left.
    done_at BIGINT,
    requeued INTEGER NOT NULL DEFAULT 0
);
INSERT INTO queue_entries_new (id, tenant_id, service_id, appointment_id, due_at, joined_at,
    resident_name, resident_phone, token_hash, status, clerk_id, room_id, called_at,
    first_called_at, answered_at, done_at, requeued)
SELECT id, tenant_id, service_id, appointment_id, due_at, joined_at, resident_name,
    resident_phone, token_hash, status, clerk_id, room_id, called_at, first_called_at,
    answered_at, done_at, requeued FROM queue_entries;
DROP TABLE queue_entries;
ALTER TABLE queue_entries_new RENAME TO queue_entries;
CREATE INDEX queue_entries_tenant_status ON queue_entries(tenant_id, status);
CREATE INDEX queue_entries_service_done ON queue_entries(service_id, done_at);
