-- The virtual counter queue (issue 4): residents who checked in for their appointment and
-- walk-ins, waiting for a clerk. Times are UTC Unix seconds; flags BIGINT 0/1.

-- Minutes before the appointment that the personal link lets a resident join the queue.
ALTER TABLE tenants ADD COLUMN check_in_minutes BIGINT NOT NULL DEFAULT 15;
-- Minutes after the start an appointment without check-in becomes a no-show.
ALTER TABLE tenants ADD COLUMN no_show_grace_minutes BIGINT NOT NULL DEFAULT 15;

CREATE TABLE queue_entries (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    -- Set for a checked-in appointment (at most one entry each); NULL for a walk-in.
    appointment_id TEXT UNIQUE REFERENCES appointments(id),
    -- The appointment's start; NULL for a walk-in.
    due_at BIGINT,
    joined_at BIGINT NOT NULL,
    resident_name TEXT NOT NULL,
    resident_phone TEXT,
    -- SHA-256 of the token the resident follows the entry with (the personal link's for a
    -- check-in, a fresh one for a walk-in).
    token_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'answered', 'done', 'missed')),
    clerk_id TEXT REFERENCES clerks(id),
    room_id TEXT,
    called_at BIGINT,
    -- When the entry was first called; kept when a resident who did not answer goes back.
    first_called_at BIGINT,
    answered_at BIGINT,
    done_at BIGINT,
    -- 1 once the entry went back to the head of the queue after an unanswered call.
    requeued BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX queue_entries_tenant_status ON queue_entries(tenant_id, status);
CREATE INDEX queue_entries_service_done ON queue_entries(service_id, done_at);
