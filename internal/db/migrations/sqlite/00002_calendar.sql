-- +goose Up
-- The work calendar (工作日历): per year, the working periods (and an optional summer
-- timetable), the holidays and the make-up workdays. Dates are local (China Standard Time)
-- 'YYYY-MM-DD' text, clock times 'HH:MM' text; instants are UTC.
CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY,
    source      TEXT NOT NULL DEFAULT '',
    summer_from TEXT,
    summer_to   TEXT,
    updated_at  DATETIME NOT NULL,
    updated_by  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE calendar_periods (
    year       INTEGER NOT NULL REFERENCES calendar_years(year),
    season     TEXT NOT NULL CHECK (season IN ('default','summer')),
    seq        INTEGER NOT NULL,
    start_time TEXT NOT NULL,
    end_time   TEXT NOT NULL,
    PRIMARY KEY (year, season, seq)
);

-- One row per date: a date cannot be both a holiday and a make-up workday.
CREATE TABLE calendar_days (
    date TEXT PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES calendar_years(year),
    kind TEXT NOT NULL CHECK (kind IN ('holiday','workday')),
    name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX calendar_days_year ON calendar_days(year);

-- +goose Down
DROP TABLE calendar_days;
DROP TABLE calendar_periods;
DROP TABLE calendar_years;
