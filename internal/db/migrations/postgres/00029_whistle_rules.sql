-- +goose Up
-- 吹哨报到's rules are data (whistle/rules.json, and the district's versions of it kept by package
-- configver, area whistle.rules): a whistle keeps the flag distance in force when it was blown, as
-- its summons keep their deadline, so a later change of the rules does not rejudge it.
ALTER TABLE whistles ADD COLUMN flag_distance_m INTEGER NOT NULL DEFAULT 500;

-- +goose Down
ALTER TABLE whistles DROP COLUMN flag_distance_m;
