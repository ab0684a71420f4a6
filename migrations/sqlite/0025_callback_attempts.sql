-- Issue 16 items 5, 6 and 10: a callback promises a window ("today between 13:00 and 17:00");
-- clerks record each attempt to phone (reached or not, with an optional note); the second
-- attempt that does not reach the resident closes the request as unreachable, and the need to
-- tell the resident is kept as a `callback_unreachable` notice for the message outbox.
ALTER TABLE callback_requests ADD COLUMN promised_from BIGINT;
ALTER TABLE callback_requests ADD COLUMN promised_until BIGINT;
ALTER TABLE callback_requests ADD COLUMN closed_as TEXT CHECK (closed_as IN ('reached', 'unreachable'));

CREATE TABLE callback_attempts (
    id TEXT PRIMARY KEY,
    callback_id TEXT NOT NULL REFERENCES callback_requests(id),
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    attempted_at BIGINT NOT NULL,
    reached INTEGER NOT NULL CHECK (reached IN (0, 1)),
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX callback_attempts_callback ON callback_attempts(callback_id, attempted_at);

-- One notice per closed request at most; `sent_at` is set by whoever tells the resident.
CREATE TABLE callback_notices (
    callback_id TEXT PRIMARY KEY REFERENCES callback_requests(id),
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL CHECK (kind IN ('callback_unreachable')),
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX callback_notices_unsent ON callback_notices(sent_at, created_at);
