-- Foundation schema: tenants, services, clerks, opening hours, appointments.
-- Times are UTC Unix seconds (BIGINT) so SQLite and PostgreSQL share one query text.
-- Flags are BIGINT 0/1 for the same reason.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    tone TEXT NOT NULL CHECK (tone IN ('je', 'u')),
    primary_colour TEXT NOT NULL,
    secondary_colour TEXT NOT NULL,
    walk_ins_allowed BIGINT NOT NULL DEFAULT 0,
    lead_time_minutes BIGINT NOT NULL,
    horizon_days BIGINT NOT NULL,
    retention_days BIGINT NOT NULL,
    contact_email TEXT NOT NULL
);

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL CHECK (duration_minutes > 0),
    buffer_minutes BIGINT NOT NULL CHECK (buffer_minutes >= 0),
    active BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX services_tenant ON services(tenant_id);

CREATE TABLE clerks (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('clerk', 'admin')),
    password_hash TEXT NOT NULL,
    UNIQUE (tenant_id, email)
);

CREATE TABLE clerk_services (
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    PRIMARY KEY (clerk_id, service_id)
);

-- Weekly opening hours in the tenant's local time; weekday 1 = Monday .. 7 = Sunday.
CREATE TABLE opening_hours (
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    weekday BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_minute BIGINT NOT NULL,
    end_minute BIGINT NOT NULL,
    CHECK (0 <= start_minute AND start_minute < end_minute AND end_minute <= 1440)
);
CREATE INDEX opening_hours_clerk ON opening_hours(clerk_id);

-- Absences: holidays, sick days. Absolute instants.
CREATE TABLE clerk_absences (
    id TEXT PRIMARY KEY,
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE INDEX clerk_absences_clerk ON clerk_absences(clerk_id);

CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
    sequence BIGINT NOT NULL DEFAULT 0,
    resident_name TEXT NOT NULL,
    resident_email TEXT NOT NULL,
    resident_phone TEXT,
    note TEXT,
    link_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX appointments_tenant_start ON appointments(tenant_id, starts_at);
CREATE INDEX appointments_clerk_start ON appointments(clerk_id, starts_at);

-- The double-booking guard: every booked appointment reserves the clerk's 5-minute units
-- (duration + buffer). The primary key makes a second reservation of any unit fail, on
-- every server instance, whatever the isolation level.
CREATE TABLE clerk_reservations (
    clerk_id TEXT NOT NULL REFERENCES clerks(id),
    unit_start BIGINT NOT NULL,
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    PRIMARY KEY (clerk_id, unit_start)
);
CREATE INDEX clerk_reservations_appointment ON clerk_reservations(appointment_id);
