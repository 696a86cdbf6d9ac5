-- +goose Up
-- 财政启动资金, the district's seed-fund ledger (package ledger, issue 16): double entry,
-- append-only, corrected only by reversal (participation.md §3).
-- - ledger_entries: one movement of money made by a finance officer (pending), then approved
--   (posted) or rejected by another. Once posted or rejected an entry never changes; posted entries
--   are hash-chained in posting order (seq, prev_hash, hash);
-- - ledger_postings: an entry's lines, written when it posts; they sum to zero;
-- - ledger_balances: each account's balance, updated in the transaction that posts; the accounts
--   that hold money (a zone's available, a project's committed and spent) never go below zero;
-- - ledger_chain: the head of the hash chain, one row (every posting takes its lock);
-- - ledger_evidence: files attached to entries (invoices, receipts), with their SHA-256;
-- - ledger_closes: the periodic closes: balances and the chain head as published.
CREATE TABLE ledger_entries (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    request_hash    TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('allocate','commit','release','disburse','refund','reversal')),
    zone_code       TEXT NOT NULL REFERENCES zones(code),
    path            TEXT NOT NULL,
    project_id      TEXT NOT NULL DEFAULT '',
    amount_fen      BIGINT NOT NULL CHECK (amount_fen > 0),
    memo            TEXT NOT NULL DEFAULT '',
    payee_name      TEXT NOT NULL DEFAULT '',
    payee_kind      TEXT NOT NULL DEFAULT '' CHECK (payee_kind IN ('','organisation','person')),
    reverses        TEXT REFERENCES ledger_entries(id),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','posted','rejected')),
    maker_id        TEXT NOT NULL,
    maker_name      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    checker_id      TEXT,
    checker_name    TEXT NOT NULL DEFAULT '',
    decided_at      DATETIME,
    reason          TEXT NOT NULL DEFAULT '',
    seq             BIGINT UNIQUE,
    prev_hash       TEXT NOT NULL DEFAULT '',
    hash            TEXT NOT NULL DEFAULT '',
    CHECK (checker_id IS NULL OR checker_id <> maker_id),
    CHECK (status <> 'posted' OR (seq IS NOT NULL AND hash <> '' AND checker_id IS NOT NULL)),
    CHECK ((kind = 'reversal') = (reverses IS NOT NULL))
);
CREATE UNIQUE INDEX ledger_entries_reversed ON ledger_entries(reverses) WHERE status = 'posted';
CREATE INDEX ledger_entries_zone ON ledger_entries(zone_code, created_at);
CREATE INDEX ledger_entries_status ON ledger_entries(status, created_at);

CREATE TABLE ledger_postings (
    entry_id   TEXT NOT NULL REFERENCES ledger_entries(id),
    line       INTEGER NOT NULL,
    account    TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen <> 0),
    PRIMARY KEY (entry_id, line)
);
CREATE INDEX ledger_postings_account ON ledger_postings(account);

CREATE TABLE ledger_balances (
    account     TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('district_fund','available','committed','spent')),
    zone_code   TEXT NOT NULL DEFAULT '',
    project_id  TEXT NOT NULL DEFAULT '',
    balance_fen BIGINT NOT NULL DEFAULT 0,
    CHECK (kind = 'district_fund' OR balance_fen >= 0)
);
CREATE INDEX ledger_balances_zone ON ledger_balances(zone_code);

CREATE TABLE ledger_chain (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    head TEXT NOT NULL
);
INSERT INTO ledger_chain (id, seq, head) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE ledger_evidence (
    id           TEXT PRIMARY KEY,
    entry_id     TEXT NOT NULL REFERENCES ledger_entries(id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  DATETIME NOT NULL
);
CREATE INDEX ledger_evidence_entry ON ledger_evidence(entry_id);

CREATE TABLE ledger_closes (
    id        TEXT PRIMARY KEY,
    closed_at DATETIME NOT NULL,
    seq       BIGINT NOT NULL,
    head      TEXT NOT NULL,
    balances  TEXT NOT NULL
);
CREATE INDEX ledger_closes_at ON ledger_closes(closed_at);

-- Append-only, enforced by the database: entries are born pending and never deleted; once
-- posted or rejected they never change, and while pending only their decision may be written;
-- an entry posts only when its postings balance; postings, evidence and closes never change.
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_born_pending BEFORE INSERT ON ledger_entries
WHEN NEW.status <> 'pending'
BEGIN SELECT RAISE(ABORT, 'ledger entries are born pending'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_frozen BEFORE UPDATE ON ledger_entries
WHEN OLD.status <> 'pending'
  OR NEW.kind IS NOT OLD.kind OR NEW.zone_code IS NOT OLD.zone_code OR NEW.project_id IS NOT OLD.project_id
  OR NEW.amount_fen IS NOT OLD.amount_fen OR NEW.reverses IS NOT OLD.reverses OR NEW.maker_id IS NOT OLD.maker_id
  OR NEW.idempotency_key IS NOT OLD.idempotency_key OR NEW.request_hash IS NOT OLD.request_hash
  OR NEW.payee_name IS NOT OLD.payee_name OR NEW.payee_kind IS NOT OLD.payee_kind OR NEW.memo IS NOT OLD.memo
  OR NEW.created_at IS NOT OLD.created_at OR NEW.id IS NOT OLD.id
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable once decided: correct by reversal'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_balanced BEFORE UPDATE ON ledger_entries
WHEN NEW.status = 'posted' AND ((SELECT count(*) FROM ledger_postings WHERE entry_id = NEW.id) < 2
  OR (SELECT coalesce(sum(amount_fen), 0) FROM ledger_postings WHERE entry_id = NEW.id) <> 0)
BEGIN SELECT RAISE(ABORT, 'ledger entry postings do not balance'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_postings_while_pending BEFORE INSERT ON ledger_postings
WHEN (SELECT status FROM ledger_entries WHERE id = NEW.entry_id) IS NOT 'pending'
BEGIN SELECT RAISE(ABORT, 'postings are written only as an entry posts'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_postings_no_update BEFORE UPDATE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger_postings is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger_postings is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_evidence_no_update BEFORE UPDATE ON ledger_evidence
BEGIN SELECT RAISE(ABORT, 'ledger_evidence is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_evidence_no_delete BEFORE DELETE ON ledger_evidence
BEGIN SELECT RAISE(ABORT, 'ledger_evidence is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_closes_no_update BEFORE UPDATE ON ledger_closes
BEGIN SELECT RAISE(ABORT, 'ledger_closes is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_closes_no_delete BEFORE DELETE ON ledger_closes
BEGIN SELECT RAISE(ABORT, 'ledger_closes is append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE ledger_closes;
DROP TABLE ledger_evidence;
DROP TABLE ledger_chain;
DROP TABLE ledger_balances;
DROP TABLE ledger_postings;
DROP TABLE ledger_entries;
