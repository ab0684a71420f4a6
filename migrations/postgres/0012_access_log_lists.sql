-- Access logging of list views: a clerk who sees a resident in today's list or in the queue
-- is logged once per clerk, appointment and (the municipality's local) day. `list_day` is set
-- only for those list actions; the unique index lets the database drop a repeat, also when
-- two tabs or two server instances log the same view at once. NULLs are distinct, so the
-- other actions are not affected.
ALTER TABLE access_log DROP CONSTRAINT access_log_action_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_action_check CHECK (action IN
    ('opened_appointment', 'consulted_source', 'refused_source', 'viewed_day_list', 'viewed_queue'));
-- YYYY-MM-DD in the municipality's time zone, for the list actions only.
ALTER TABLE access_log ADD COLUMN list_day TEXT;
CREATE UNIQUE INDEX access_log_list_once_a_day ON access_log(appointment_id, clerk_id, action, list_day);
