-- +goose Up
-- Participation (packages participant and patrol).
--
-- 1+N rosters (standards-cn.md §3, 1+N): per zone one lead organisation and N participating units,
-- firms, social organisations and volunteer teams, each with a contact (sealed at rest with
-- package pii, masked copies for readers) and its pledges (共建项目/资源清单). A participant carries
-- its zone's path; scope also reaches it wherever one of the zone's grids is (participant.Kind).
CREATE TABLE participants (
    id                   TEXT PRIMARY KEY,
    zone_code            TEXT NOT NULL REFERENCES zones(code),
    path                 TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('lead','unit','firm','social_org','volunteer_team')),
    name                 TEXT NOT NULL,
    contact_name_enc     TEXT NOT NULL DEFAULT '',
    contact_name_masked  TEXT NOT NULL DEFAULT '',
    contact_phone_enc    TEXT NOT NULL DEFAULT '',
    contact_phone_masked TEXT NOT NULL DEFAULT '',
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE INDEX participants_zone ON participants(zone_code, kind);

CREATE TABLE participant_pledges (
    id             TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants(id),
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('project','resource')),
    description    TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('pledged','in_progress','delivered')),
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);
CREATE INDEX participant_pledges_participant ON participant_pledges(participant_id);

-- Members of a volunteer team (a participant of kind volunteer_team): an account holding the
-- volunteer role (user_id), or a named person without one (user_id '').
CREATE TABLE volunteer_members (
    id         TEXT PRIMARY KEY,
    team_id    TEXT NOT NULL REFERENCES participants(id),
    user_id    TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL,
    joined_at  DATETIME NOT NULL
);
CREATE INDEX volunteer_members_team ON volunteer_members(team_id);
CREATE INDEX volunteer_members_user ON volunteer_members(user_id);

-- Hours logged outside patrols (participation.md §5: hours verified by an admin): they count
-- only once a manager confirmed them. Patrol time counts from the patrols themselves.
CREATE TABLE volunteer_hours (
    id           TEXT PRIMARY KEY,
    volunteer_id TEXT NOT NULL,
    team_id      TEXT NOT NULL REFERENCES participants(id),
    zone_code    TEXT NOT NULL,
    path         TEXT NOT NULL,
    day          TEXT NOT NULL,
    minutes      INTEGER NOT NULL,
    note         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending','confirmed')),
    logged_by    TEXT NOT NULL,
    confirmed_by TEXT NOT NULL DEFAULT '',
    confirmed_at DATETIME,
    created_at   DATETIME NOT NULL
);
CREATE INDEX volunteer_hours_volunteer ON volunteer_hours(volunteer_id, day);

-- Patrol plans (巡查计划): one per grid, with how many patrols a week, the route's points and the
-- checklist (defaults by grid kind, patrol/checklist.go), and who patrols it.
CREATE TABLE patrol_plans (
    id         TEXT PRIMARY KEY,
    grid_code  TEXT NOT NULL UNIQUE REFERENCES grids(code),
    path       TEXT NOT NULL,
    per_week   INTEGER NOT NULL,
    route      TEXT NOT NULL,
    checklist  TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX patrol_plans_path ON patrol_plans(path);

-- Assignees of a plan: users (grid workers, volunteers; kind user) or volunteer teams (kind team).
CREATE TABLE patrol_plan_assignees (
    plan_id TEXT NOT NULL REFERENCES patrol_plans(id),
    kind    TEXT NOT NULL CHECK (kind IN ('user','team')),
    subject TEXT NOT NULL,
    PRIMARY KEY (plan_id, kind, subject)
);
CREATE INDEX patrol_plan_assignees_subject ON patrol_plan_assignees(subject);

CREATE TABLE patrols (
    id         TEXT PRIMARY KEY,
    plan_id    TEXT NOT NULL DEFAULT '',
    grid_code  TEXT NOT NULL REFERENCES grids(code),
    path       TEXT NOT NULL,
    started_by TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('running','ended')),
    started_at DATETIME NOT NULL,
    ended_at   DATETIME,
    note       TEXT NOT NULL DEFAULT '',
    answers    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX patrols_started_by ON patrols(started_by, started_at);
CREATE INDEX patrols_week ON patrols(started_at, grid_code);

-- A point checked on a patrol: when, where the phone was, how far from the planned point
-- (orb/geo); more than 200 m away is flagged.
CREATE TABLE patrol_checks (
    id         TEXT PRIMARY KEY,
    patrol_id  TEXT NOT NULL REFERENCES patrols(id),
    point      INTEGER NOT NULL,
    point_name TEXT NOT NULL,
    lat        REAL NOT NULL,
    lng        REAL NOT NULL,
    distance_m REAL NOT NULL,
    flagged    BOOLEAN NOT NULL DEFAULT false,
    checked_at DATETIME NOT NULL
);
CREATE INDEX patrol_checks_patrol ON patrol_checks(patrol_id);

-- A finding; case_id is set when it became a case on the patrol channel ('-' while being reported).
CREATE TABLE patrol_findings (
    id             TEXT PRIMARY KEY,
    patrol_id      TEXT NOT NULL REFERENCES patrols(id),
    description    TEXT NOT NULL,
    lat            REAL NOT NULL,
    lng            REAL NOT NULL,
    category_class TEXT NOT NULL DEFAULT '',
    category_code  TEXT NOT NULL DEFAULT '',
    case_id        TEXT NOT NULL DEFAULT '',
    case_number    TEXT NOT NULL DEFAULT '',
    found_at       DATETIME NOT NULL
);
CREATE INDEX patrol_findings_patrol ON patrol_findings(patrol_id);

-- +goose Down
DROP TABLE patrol_findings;
DROP TABLE patrol_checks;
DROP TABLE patrols;
DROP TABLE patrol_plan_assignees;
DROP TABLE patrol_plans;
DROP TABLE volunteer_hours;
DROP TABLE volunteer_members;
DROP TABLE participant_pledges;
DROP TABLE participants;
