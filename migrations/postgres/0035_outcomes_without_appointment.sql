-- Issue 21: a walk-in (a queue entry without appointment) and a callback request get an
-- outcome too, into the same outbox and case store. An outcome, its outbox event and a case
-- belong to exactly one of an appointment, a queue entry or a callback request (CHECK).
ALTER TABLE outcomes ALTER COLUMN appointment_id DROP NOT NULL;
ALTER TABLE outcomes ADD COLUMN queue_entry_id TEXT REFERENCES queue_entries(id);
ALTER TABLE outcomes ADD COLUMN callback_id TEXT REFERENCES callback_requests(id);
ALTER TABLE outcomes ADD CONSTRAINT outcomes_one_subject
    CHECK (num_nonnulls(appointment_id, queue_entry_id, callback_id) = 1);
ALTER TABLE outcomes ADD CONSTRAINT outcomes_queue_entry_version UNIQUE (queue_entry_id, version);
ALTER TABLE outcomes ADD CONSTRAINT outcomes_callback_version UNIQUE (callback_id, version);

ALTER TABLE outbox ALTER COLUMN appointment_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN queue_entry_id TEXT REFERENCES queue_entries(id);
ALTER TABLE outbox ADD COLUMN callback_id TEXT REFERENCES callback_requests(id);
ALTER TABLE outbox ADD CONSTRAINT outbox_one_subject
    CHECK (num_nonnulls(appointment_id, queue_entry_id, callback_id) = 1);
CREATE INDEX outbox_queue_entry ON outbox(queue_entry_id, version);
CREATE INDEX outbox_callback ON outbox(callback_id, version);

ALTER TABLE cases ALTER COLUMN appointment_id DROP NOT NULL;
ALTER TABLE cases ADD COLUMN queue_entry_id TEXT UNIQUE REFERENCES queue_entries(id);
ALTER TABLE cases ADD COLUMN callback_id TEXT UNIQUE REFERENCES callback_requests(id);
ALTER TABLE cases ADD CONSTRAINT cases_one_subject
    CHECK (num_nonnulls(appointment_id, queue_entry_id, callback_id) = 1);
