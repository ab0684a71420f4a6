-- A counter that moves whenever clerks' schedules may have changed (the clerks, the services
-- they handle, their hours and absences). Each instance caches the schedules a slot search
-- and a booking need, and reads only this row to know whether its copy is still current
-- (issue 20): the database bumps it, so no write path can forget to, on any instance.
CREATE TABLE schedule_generation (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO schedule_generation (id, generation) VALUES (1, 0);

CREATE FUNCTION bump_schedule_generation() RETURNS trigger AS $$
BEGIN
    UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER clerks_schedule_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON clerks
    FOR EACH STATEMENT EXECUTE FUNCTION bump_schedule_generation();
CREATE TRIGGER clerk_services_schedule_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON clerk_services
    FOR EACH STATEMENT EXECUTE FUNCTION bump_schedule_generation();
CREATE TRIGGER opening_hours_schedule_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opening_hours
    FOR EACH STATEMENT EXECUTE FUNCTION bump_schedule_generation();
CREATE TRIGGER clerk_absences_schedule_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON clerk_absences
    FOR EACH STATEMENT EXECUTE FUNCTION bump_schedule_generation();
