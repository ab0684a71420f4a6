-- Callback requests (issue 4): a resident who would rather be phoned than wait in the queue.

CREATE TABLE callback_requests (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    resident_name TEXT NOT NULL,
    phone TEXT NOT NULL,
    part_of_day TEXT NOT NULL CHECK (part_of_day IN ('morning', 'afternoon', 'evening')),
    requested_at BIGINT NOT NULL,
    handled_at BIGINT,
    handled_by TEXT REFERENCES clerks(id)
);
CREATE INDEX callback_requests_tenant ON callback_requests(tenant_id, handled_at);
