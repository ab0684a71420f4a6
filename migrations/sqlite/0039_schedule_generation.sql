-- A counter that moves whenever clerks' schedules may have changed (the clerks, the services
-- they handle, their hours and absences). The instance caches the schedules a slot search and
-- a booking need, and reads only this row to know whether its copy is still current (issue
-- 20): the database bumps it, so no write path can forget to. A later migration that rebuilds
-- one of these tables must create its triggers again.
CREATE TABLE schedule_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO schedule_generation (id, generation) VALUES (1, 0);

CREATE TRIGGER clerks_insert_schedule_generation AFTER INSERT ON clerks
BEGIN UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER clerks_update_schedule_generation AFTER UPDATE ON clerks
BEGIN UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER clerks_delete_schedule_generation AFTER DELETE ON clerks
BEGIN UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER clerk_services_insert_schedule_generation AFTER INSERT ON clerk_services
BEGIN UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER clerk_services_update_schedule_generation AFTER UPDATE ON clerk_services
BEGIN UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER clerk_services_delete_schedule_generation AFTER DELETE ON clerk_services
BEGIN UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER opening_hours_insert_schedule_generation AFTER INSERT ON opening_hours
BEGIN UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER opening_hours_update_schedule_generation AFTER UPDATE ON opening_hours
BEGIN UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER opening_hours_delete_schedule_generation AFTER DELETE ON opening_hours
BEGIN UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER clerk_absences_insert_schedule_generation AFTER INSERT ON clerk_absences
BEGIN UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER clerk_absences_update_schedule_generation AFTER UPDATE ON clerk_absences
BEGIN UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1; END;

CREATE TRIGGER clerk_absences_delete_schedule_generation AFTER DELETE ON clerk_absences
BEGIN UPDATE schedule_generation SET generation = generation + 1 WHERE id = 1; END;
