-- Issue 21 items 2 and 3, issue 16 item 9: a clerk's status over time (available, paused with
-- an optional reason, in a call, finishing), summed per week on the dashboard; the longest
-- after-call work per municipality; and what clerks did with single queue entries (taken out
-- of order with a reason, handed to a colleague or another service with a note, marked as a
-- no-show).
CREATE TABLE clerk_status_periods (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    status TEXT NOT NULL CHECK (status IN ('available', 'paused', 'in_call', 'finishing')),
    reason TEXT,
    started_at BIGINT NOT NULL,
    ended_at BIGINT
);
-- One current period per clerk: two status changes at once cannot both stay open.
CREATE UNIQUE INDEX clerk_status_current ON clerk_status_periods(clerk_id) WHERE ended_at IS NULL;
CREATE INDEX clerk_status_periods_tenant ON clerk_status_periods(tenant_id, started_at);

ALTER TABLE tenants ADD COLUMN finishing_max_minutes BIGINT NOT NULL DEFAULT 3;

CREATE TABLE queue_entry_events (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    entry_id TEXT NOT NULL REFERENCES queue_entries(id),
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    kind TEXT NOT NULL CHECK (kind IN ('taken', 'handed_over', 'no_show')),
    note TEXT NOT NULL DEFAULT '',
    to_clerk_id TEXT REFERENCES clerks(id),
    to_service_id TEXT REFERENCES services(id),
    at BIGINT NOT NULL
);
CREATE INDEX queue_entry_events_entry ON queue_entry_events(entry_id, at);
CREATE INDEX queue_entry_events_tenant ON queue_entry_events(tenant_id, kind, at);
