-- +goose Up
-- A shelved (挂账) or deferred (缓办) case carries its review date on the row, so that the sweep
-- can remind the desk when it comes, once (review_noticed is the claim, as for SLA notices).
ALTER TABLE cases ADD COLUMN review_at TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN review_noticed BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX cases_review ON cases(review_at) WHERE status IN ('shelved','deferred');
-- Cases parked before this version take the date from their latest shelve/defer event.
UPDATE cases SET review_at = (SELECT (e.data::jsonb->>'review_date')::timestamptz FROM case_events e
    WHERE e.case_id = cases.id AND e.action IN ('shelve','defer') ORDER BY e.seq DESC LIMIT 1)
WHERE status IN ('shelved','deferred');

-- +goose Down
DROP INDEX cases_review;
ALTER TABLE cases DROP COLUMN review_noticed;
ALTER TABLE cases DROP COLUMN review_at;
