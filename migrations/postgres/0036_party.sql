-- Issue 16 item 8: several people in one appointment. Per service: for how many people one
-- appointment may be (1: one person only) and the minutes each extra person adds.
ALTER TABLE services ADD COLUMN max_people BIGINT NOT NULL DEFAULT 1;
ALTER TABLE services ADD COLUMN minutes_per_extra_person BIGINT NOT NULL DEFAULT 0;

-- The names of the extra people, with the appointment; erased with its personal data.
CREATE TABLE appointment_people (
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (appointment_id, position)
);

-- A resident's "annuleren" by text is written to the access log: action 'cancelled_by_text'.
ALTER TABLE access_log DROP CONSTRAINT access_log_action_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_action_check CHECK (action IN
    ('opened_appointment', 'consulted_source', 'refused_source', 'viewed_day_list', 'viewed_queue',
     'viewed_outcome', 'viewed_consent', 'booked_by_clerk', 'rescheduled_by_clerk',
     'cancelled_by_clerk', 'resent_by_clerk', 'found_by_clerk', 'found_by_resident',
     'viewed_document', 'cancelled_by_text'));
