-- Issue 17 item 5: a municipality's logo, as rebuilt from the upload (domain/logo.rs). Its own
-- table, so reading a municipality does not read the picture.
CREATE TABLE tenant_logos (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    media_type TEXT NOT NULL CHECK (media_type IN ('image/png', 'image/svg+xml')),
    bytes BLOB NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Issue 17 item 4: the residents an admin messaged about a closing day on their appointment,
-- so pressing the button again reaches only those not reached yet.
CREATE TABLE closing_day_messages (
    closing_day_id TEXT NOT NULL REFERENCES closing_days(id) ON DELETE CASCADE,
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (closing_day_id, appointment_id)
);

-- Issue 16 item 9: the municipality's answer to a complaint, which the resident receives by
-- mail and reads on the personal link page.
ALTER TABLE feedback ADD COLUMN answer TEXT;
