-- Closing days: the municipality takes no appointments on these local dates, or in part of
-- one (`start_minute`..`end_minute`, local minutes after midnight; both NULL: all day).
-- `holiday` marks a preloaded public holiday; an admin may remove it like any other.
CREATE TABLE closing_days (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    day TEXT NOT NULL, -- YYYY-MM-DD in the municipality's time zone
    start_minute BIGINT,
    end_minute BIGINT,
    name TEXT NOT NULL,
    holiday BIGINT NOT NULL DEFAULT 0,
    CHECK ((start_minute IS NULL AND end_minute IS NULL)
        OR (start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440))
);
CREATE INDEX closing_days_tenant_day ON closing_days(tenant_id, day);
-- The years whose public holidays were preloaded for a municipality: each year is preloaded
-- once, so a holiday an admin removed stays removed.
CREATE TABLE closing_holiday_years (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    year BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, year)
);
