-- Issue 17: municipalities on one platform and the staff account lifecycle.

-- A suspended municipality takes no bookings, no logins, and its sessions end.
ALTER TABLE tenants ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;

-- A deactivated clerk cannot log in and is offered to no resident; the row stays, because
-- appointments, outcomes and the access log point to it.
ALTER TABLE clerks ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

-- One-time links to set a password (first admin, "wachtwoord vergeten"). Only the SHA-256 of
-- the 256-bit token is stored; a link counts once (`used_at`) and until `expires_at`.
CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_links_clerk ON password_links(clerk_id);

-- Who changed what in a municipality's administration, and when. Append-only like the
-- access log: updates, deletes and truncation raise an error.
CREATE TABLE admin_audit (
    seq BIGSERIAL PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    at BIGINT NOT NULL,
    -- The clerk who acted; NULL for the platform operator or the platform itself.
    actor_id TEXT,
    -- The actor's name at the time, so the line still reads right after a rename.
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL
);
CREATE INDEX admin_audit_tenant ON admin_audit(tenant_id, seq);

CREATE FUNCTION admin_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'admin_audit is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER admin_audit_no_update_or_delete BEFORE UPDATE OR DELETE ON admin_audit
    FOR EACH ROW EXECUTE FUNCTION admin_audit_append_only();

CREATE TRIGGER admin_audit_no_truncate BEFORE TRUNCATE ON admin_audit
    FOR EACH STATEMENT EXECUTE FUNCTION admin_audit_append_only();
