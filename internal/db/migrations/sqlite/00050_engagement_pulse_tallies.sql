-- +goose Up
-- Pulse answers are counted per pulse, and a figure counts a pulse's
-- scores only once it has closed with at least five answers: counted as
-- they came, a community's or a department's satisfaction moved with each
-- answer of an open pulse and told what the latest person answered.
-- The month is the one the pulse opened in, as the pulse's own trend has it.
-- Scope 'pulse' holds each pulse's own count of answers (scope_id = pulse_id).
CREATE TABLE engagement_pulse_tallies (
    pulse_id  INTEGER NOT NULL,
    scope     TEXT NOT NULL CHECK (scope IN ('pulse', 'community', 'department')),
    scope_id  INTEGER NOT NULL,
    survey    TEXT NOT NULL,
    month     TEXT NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    answers   INTEGER NOT NULL DEFAULT 0,
    high      INTEGER NOT NULL DEFAULT 0,
    low       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pulse_id, scope, scope_id)
);
CREATE INDEX engagement_pulse_tallies_scope ON engagement_pulse_tallies(scope, month);

-- The answers kept so far, from their signals, by the pulses they answer.
INSERT INTO engagement_pulse_tallies(pulse_id, scope, scope_id, survey, month, closes_at, answers, high, low)
SELECT p.id, x.scope, CASE x.scope WHEN 'pulse' THEN p.id WHEN 'community' THEN s.community_id ELSE s.department_id END,
    p.survey, strftime('%Y-%m', p.opens_at), p.closes_at, COUNT(*),
    SUM(CASE WHEN (p.survey = 'csat' AND s.score >= 4) OR (p.survey = 'nps' AND s.score >= 9) THEN 1 ELSE 0 END),
    SUM(CASE WHEN (p.survey = 'csat' AND s.score <= 2) OR (p.survey = 'nps' AND s.score <= 6) THEN 1 ELSE 0 END)
FROM engagement_signals s
JOIN pulses p ON s.ref = 'pulse:' || p.id
JOIN (SELECT 'pulse' AS scope UNION ALL SELECT 'community' UNION ALL SELECT 'department') x
    ON x.scope = 'pulse' OR (x.scope = 'community' AND s.community_id <> 0) OR (x.scope = 'department' AND s.department_id <> 0)
WHERE s.kind = 'pulse_answer'
GROUP BY p.id, x.scope, CASE x.scope WHEN 'pulse' THEN p.id WHEN 'community' THEN s.community_id ELSE s.department_id END,
    p.survey, p.opens_at, p.closes_at;

-- Topics renamed or moved before renames and moves reached engagement:
-- their titles and communities as they are now.
UPDATE engagement_topics SET
    title = (SELECT t.title FROM discuss_topics t WHERE t.id = engagement_topics.topic_id),
    community_id = (SELECT t.community_id FROM discuss_topics t WHERE t.id = engagement_topics.topic_id)
WHERE EXISTS (SELECT 1 FROM discuss_topics t WHERE t.id = engagement_topics.topic_id
    AND (t.title <> engagement_topics.title OR t.community_id <> engagement_topics.community_id));

-- The tallies by month of answer, open pulses' included, are gone.
DROP TABLE engagement_pulses;

-- +goose Down
CREATE TABLE engagement_pulses (
    scope    TEXT NOT NULL CHECK (scope IN ('community', 'department')),
    scope_id INTEGER NOT NULL,
    month    TEXT NOT NULL,
    survey   TEXT NOT NULL,
    answers  INTEGER NOT NULL DEFAULT 0,
    high     INTEGER NOT NULL DEFAULT 0,
    low      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, scope_id, month, survey)
);
INSERT INTO engagement_pulses(scope, scope_id, month, survey, answers, high, low)
SELECT scope, scope_id, month, survey, SUM(answers), SUM(high), SUM(low) FROM engagement_pulse_tallies
WHERE scope <> 'pulse' GROUP BY scope, scope_id, month, survey;
DROP TABLE engagement_pulse_tallies;
