-- A resident may leave the queue (issue 4): status 'left'; done_at is then when they left.
ALTER TABLE queue_entries DROP CONSTRAINT queue_entries_status_check;
ALTER TABLE queue_entries ADD CONSTRAINT queue_entries_status_check
    CHECK (status IN ('waiting', 'called', 'answered', 'done', 'missed', 'left'));
