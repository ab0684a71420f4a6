-- Messages to residents (mail and SMS) through one outbox (issue 16 items 3 and 4, issue 20):
-- written in the transaction of the change that causes them, sent by a worker with retries.
-- `dedupe_key` (appointment, kind, sequence or start time, channel) makes a second copy of
-- the same message impossible.
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- For reminders: the appointment start they were made for; a moved appointment's old
    -- reminders no longer match and are dropped.
    appointment_start BIGINT,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at BIGINT,
    lease_token TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX messages_due ON messages (state, next_attempt_at);
CREATE INDEX messages_by_tenant ON messages (tenant_id, created_at);
CREATE INDEX messages_by_appointment ON messages (appointment_id);

-- Per municipality: which reminders residents get (both on unless an admin turns one off).
CREATE TABLE message_settings (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    remind_day_before BIGINT NOT NULL DEFAULT 1,
    remind_hour_before BIGINT NOT NULL DEFAULT 1
);
