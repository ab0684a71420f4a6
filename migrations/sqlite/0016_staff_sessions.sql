-- Issue 13, finding 3: staff sessions live on the server. The session cookie is honoured only
-- while its row exists (logout deletes it) and within the idle timeout and absolute lifetime;
-- the role is read from `clerks` on every request, so a demotion counts at once.
CREATE TABLE staff_sessions (
    -- SHA-256 of the session cookie's value, never the value itself.
    token_hash TEXT PRIMARY KEY,
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE INDEX staff_sessions_by_clerk ON staff_sessions (clerk_id);
