-- +goose Up
-- Editing the org tree (package org, edit.go): a node is retired, never deleted, because cases,
-- grants and the audit log point to its code; every add, rename, move, retirement and grid
-- assignment leaves a row in org_history (who, when, before → after), kept beside the audit log
-- so a node's history reads without scanning the chain.
ALTER TABLE org_nodes ADD COLUMN retired_at TIMESTAMPTZ;

CREATE TABLE org_history (
    id         TEXT PRIMARY KEY,
    node_code  TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('add','rename','move','retire','zone','workers')),
    before_summary TEXT NOT NULL DEFAULT '',
    after_summary  TEXT NOT NULL DEFAULT '',
    actor_id   TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX org_history_node ON org_history(node_code, at);

-- 一格一员: the grid workers answerable for a grid. Reach is still decided by the grid_worker
-- grant (package access); this says who is on duty for which grid inside that reach.
CREATE TABLE grid_workers (
    grid_code   TEXT NOT NULL REFERENCES grids(code),
    user_id     TEXT NOT NULL REFERENCES users(id),
    assigned_by TEXT NOT NULL,
    assigned_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (grid_code, user_id)
);
CREATE INDEX grid_workers_user ON grid_workers(user_id);

-- +goose Down
DROP TABLE grid_workers;
DROP TABLE org_history;
ALTER TABLE org_nodes DROP COLUMN retired_at;
