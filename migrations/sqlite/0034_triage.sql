-- Issue 16 item 7: questions before booking, per service. `answers` is the JSON list of
-- answers with their verdicts (domain/triage.rs), read and written whole.
CREATE TABLE triage_questions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    answers TEXT NOT NULL
);
CREATE INDEX triage_questions_service ON triage_questions (service_id, position);

-- The resident's answers as they saw them, with the appointment; shown to the clerk.
CREATE TABLE appointment_triage (
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    position BIGINT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (appointment_id, position)
);
