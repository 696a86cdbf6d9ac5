-- +goose Up
-- A version token per level and month of eval_monthly, replaced whenever a batch changes that
-- month's sums (package eval, addAll): a node keeps the sums of whole months in memory and reads
-- a month again only when its token has changed, so a year's rankings read the month that is
-- still changing, not twelve. Existing months start with a token of their own.
CREATE TABLE eval_month_versions (
    level   TEXT NOT NULL,
    month   TEXT NOT NULL,
    version TEXT NOT NULL,
    PRIMARY KEY (level, month)
);
INSERT INTO eval_month_versions (level, month, version)
    SELECT DISTINCT level, month, 'initial' FROM eval_monthly;

-- +goose Down
DROP TABLE eval_month_versions;
