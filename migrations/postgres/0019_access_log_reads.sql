-- Issue 13 (finding 10): reading a resident's outcomes (with their delivery) or their choices
-- per information source is written to the access log too.
ALTER TABLE access_log DROP CONSTRAINT access_log_action_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_action_check CHECK (action IN
    ('opened_appointment', 'consulted_source', 'refused_source', 'viewed_day_list', 'viewed_queue',
     'viewed_outcome', 'viewed_consent'));
