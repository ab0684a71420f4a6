-- Issue 15 item 4: a companion (invited by the resident) or an interpreter (invited by the
-- clerk) joins an appointment's call with their own link. Only the token's SHA-256 is stored.
-- `removed_at` is set when the clerk takes them out of the call: the link admits no more.
CREATE TABLE companion_links (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('companion', 'interpreter')),
    name TEXT NOT NULL,
    email TEXT,
    invited_by_clerk TEXT REFERENCES clerks(id),
    created_at BIGINT NOT NULL,
    removed_at BIGINT
);
CREATE INDEX companion_links_appointment ON companion_links(appointment_id);

-- Who came into an appointment's call when; shown to the resident beside the access log.
-- Names are not copied here (they are looked up, so erasing the resident's data or a
-- companion's link erases them), and rows are never changed.
CREATE TABLE call_joins (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    role TEXT NOT NULL CHECK (role IN ('resident', 'clerk', 'companion', 'interpreter')),
    companion_id TEXT REFERENCES companion_links(id),
    at BIGINT NOT NULL
);
CREATE INDEX call_joins_appointment ON call_joins(appointment_id, at);

CREATE FUNCTION call_joins_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'call_joins is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER call_joins_no_update_or_delete BEFORE UPDATE OR DELETE ON call_joins
    FOR EACH ROW EXECUTE FUNCTION call_joins_append_only();

CREATE TRIGGER call_joins_no_truncate BEFORE TRUNCATE ON call_joins
    FOR EACH STATEMENT EXECUTE FUNCTION call_joins_append_only();

-- People in one call at most: resident, clerk and companions or interpreters (2 to 4).
ALTER TABLE tenants ADD COLUMN room_size BIGINT NOT NULL DEFAULT 3 CHECK (room_size BETWEEN 2 AND 4);
