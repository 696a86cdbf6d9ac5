-- +goose Up
-- Zone projects (package project, issue 16): a project of a zone with its milestones planned
-- backward from the deadline on the work calendar (倒排进度). The plan (latest start and finish,
-- critical path, slack) is computed once, when the project is created, and stored; statuses
-- (at risk, overdue) are computed when read. A project carries its zone's path for scope.
-- Dates of the plan are local days 'YYYY-MM-DD'.
CREATE TABLE projects (
    id              TEXT PRIMARY KEY,
    zone_code       TEXT NOT NULL REFERENCES zones(code),
    path            TEXT NOT NULL,
    field           TEXT NOT NULL CHECK (field IN ('management_service','environment','safety','industry','civility')),
    title           TEXT NOT NULL,
    goal            TEXT NOT NULL DEFAULT '',
    owner_unit_code TEXT NOT NULL,
    participants    TEXT NOT NULL DEFAULT '[]',
    budget_fen      INTEGER CHECK (budget_fen IS NULL OR budget_fen >= 0),
    deadline        TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX projects_zone ON projects(zone_code, deadline);

-- depends_on: a JSON list of the indices of the milestones that finish before this one starts.
CREATE TABLE project_milestones (
    project_id    TEXT NOT NULL REFERENCES projects(id),
    idx           INTEGER NOT NULL,
    title         TEXT NOT NULL,
    duration_days INTEGER NOT NULL CHECK (duration_days >= 1),
    depends_on    TEXT NOT NULL DEFAULT '[]',
    latest_start  TEXT NOT NULL,
    latest_finish TEXT NOT NULL,
    critical      INTEGER NOT NULL DEFAULT 0,
    slack_days    INTEGER NOT NULL DEFAULT 0,
    started_at    DATETIME,
    finished_at   DATETIME,
    percent       INTEGER NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    PRIMARY KEY (project_id, idx)
);

-- Tasks per responsible unit (责任单位); milestone -1: the project as a whole.
CREATE TABLE project_tasks (
    project_id TEXT NOT NULL REFERENCES projects(id),
    idx        INTEGER NOT NULL,
    unit_code  TEXT NOT NULL,
    title      TEXT NOT NULL,
    milestone  INTEGER NOT NULL DEFAULT -1,
    PRIMARY KEY (project_id, idx)
);

-- Evidence notes recorded with a milestone's progress.
CREATE TABLE project_evidence (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    idx        INTEGER NOT NULL,
    note       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX project_evidence_project ON project_evidence(project_id, idx);

-- +goose Down
DROP TABLE project_evidence;
DROP TABLE project_tasks;
DROP TABLE project_milestones;
DROP TABLE projects;
