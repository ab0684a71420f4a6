-- Issue 22 item 2: a clerk taking a photo of a document during the call (with the resident's yes
-- each time) is written to the access log: action 'took_photo'.
ALTER TABLE access_log DROP CONSTRAINT access_log_action_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_action_check CHECK (action IN
    ('opened_appointment', 'consulted_source', 'refused_source', 'viewed_day_list', 'viewed_queue',
     'viewed_outcome', 'viewed_consent', 'booked_by_clerk', 'rescheduled_by_clerk',
     'cancelled_by_clerk', 'resent_by_clerk', 'found_by_clerk', 'found_by_resident',
     'viewed_document', 'cancelled_by_text', 'took_photo'));
