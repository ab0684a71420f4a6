-- Issue 17, item 3: staff log in through the municipality's own OpenID provider. One row per
-- municipality that has set it up; no row means password login only.
CREATE TABLE tenant_sso (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    -- The name on the login button: "Inloggen met <provider_name>".
    provider_name TEXT NOT NULL,
    issuer_url TEXT NOT NULL,
    client_id TEXT NOT NULL,
    -- As written by `usecases::sso::store_secret` (sealed once stored secrets are encrypted).
    client_secret TEXT NOT NULL,
    -- The ID token claim that carries the role (a string or a list of strings) and the values
    -- that make someone an admin or a clerk.
    role_claim TEXT NOT NULL,
    admin_value TEXT NOT NULL,
    clerk_value TEXT NOT NULL,
    password_login INTEGER NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

-- Logins under way: the browser holds the state in an HttpOnly cookie and gets it back from the
-- provider in the URL; both must match this row, which is used once and kept ten minutes.
CREATE TABLE sso_logins (
    -- SHA-256 of the state, never the state itself.
    state_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    back_to TEXT,
    created_at BIGINT NOT NULL
);
