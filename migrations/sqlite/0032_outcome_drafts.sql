-- Issue 21 item 1: the outcome a clerk writes during the call, kept per clerk and queue entry
-- (appointment or walk-in) until it is recorded; recording deletes it in the same transaction.
-- One row per (clerk, entry): every autosave overwrites it, nothing here is a record.
CREATE TABLE outcome_drafts (
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    queue_entry_id TEXT NOT NULL REFERENCES queue_entries(id),
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    result_code TEXT NOT NULL,
    notes TEXT NOT NULL,
    follow_up TEXT NOT NULL CHECK (follow_up IN ('none', 'callback', 'new_appointment')),
    -- JSON array of strings.
    sources TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (clerk_id, queue_entry_id)
);
-- The retention worker erases drafts older than the retention period by this column.
CREATE INDEX outcome_drafts_updated ON outcome_drafts(tenant_id, updated_at);
