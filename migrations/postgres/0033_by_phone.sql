-- Issue 15 item 5: a video conversation the clerk continued by phone (the call could not
-- connect, or the picture and sound were too poor). The moment is kept with the queue entry;
-- the resident's page then says the clerk calls them, and the dashboard can count them.
ALTER TABLE queue_entries ADD COLUMN by_phone_at BIGINT;
