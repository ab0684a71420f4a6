-- Issue 8, retention: when an appointment's personal data was erased (by the retention rule or
-- by the resident). NULL while the data is still there.
ALTER TABLE appointments ADD COLUMN erased_at BIGINT;
CREATE INDEX appointments_retention ON appointments(tenant_id, erased_at, ends_at);
