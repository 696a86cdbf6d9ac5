-- +goose Up
-- 财政启动资金, the district's seed-fund ledger (package ledger, issue 16): double entry,
-- append-only, corrected only by reversal (participation.md §3). See the SQLite migration for
-- what each table holds; the rules are the same, written as PL/pgSQL triggers.
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
    created_at      TIMESTAMPTZ NOT NULL,
    checker_id      TEXT,
    checker_name    TEXT NOT NULL DEFAULT '',
    decided_at      TIMESTAMPTZ,
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
    data         BYTEA NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX ledger_evidence_entry ON ledger_evidence(entry_id);

CREATE TABLE ledger_closes (
    id        TEXT PRIMARY KEY,
    closed_at TIMESTAMPTZ NOT NULL,
    seq       BIGINT NOT NULL,
    head      TEXT NOT NULL,
    balances  TEXT NOT NULL
);
CREATE INDEX ledger_closes_at ON ledger_closes(closed_at);

-- Append-only, enforced by the database: entries are born pending and never deleted; once
-- posted or rejected they never change, and while pending only their decision may be written;
-- an entry posts only when its postings balance; postings, evidence and closes never change.
-- +goose StatementBegin
CREATE FUNCTION ledger_entries_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'pending' THEN
            RAISE EXCEPTION 'ledger entries are born pending';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'ledger_entries is append-only';
    END IF;
    IF OLD.status <> 'pending'
       OR (NEW.id, NEW.kind, NEW.zone_code, NEW.project_id, NEW.amount_fen, NEW.maker_id, NEW.idempotency_key,
           NEW.request_hash, NEW.payee_name, NEW.payee_kind, NEW.memo, NEW.created_at)
          IS DISTINCT FROM (OLD.id, OLD.kind, OLD.zone_code, OLD.project_id, OLD.amount_fen, OLD.maker_id,
           OLD.idempotency_key, OLD.request_hash, OLD.payee_name, OLD.payee_kind, OLD.memo, OLD.created_at)
       OR NEW.reverses IS DISTINCT FROM OLD.reverses THEN
        RAISE EXCEPTION 'ledger entries are immutable once decided: correct by reversal';
    END IF;
    IF NEW.status = 'posted' AND ((SELECT count(*) FROM ledger_postings WHERE entry_id = NEW.id) < 2
       OR (SELECT coalesce(sum(amount_fen), 0) FROM ledger_postings WHERE entry_id = NEW.id) <> 0) THEN
        RAISE EXCEPTION 'ledger entry postings do not balance';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_entries_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_entries
FOR EACH ROW EXECUTE FUNCTION ledger_entries_guard();

-- +goose StatementBegin
CREATE FUNCTION ledger_postings_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF (SELECT status FROM ledger_entries WHERE id = NEW.entry_id) IS DISTINCT FROM 'pending' THEN
            RAISE EXCEPTION 'postings are written only as an entry posts';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_postings_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_postings
FOR EACH ROW EXECUTE FUNCTION ledger_postings_guard();

-- +goose StatementBegin
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_evidence_append_only BEFORE UPDATE OR DELETE ON ledger_evidence
FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_closes_append_only BEFORE UPDATE OR DELETE ON ledger_closes
FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
-- TRUNCATE skips row triggers: refused on the tables of record as well.
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_evidence_no_truncate BEFORE TRUNCATE ON ledger_evidence
FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_closes_no_truncate BEFORE TRUNCATE ON ledger_closes
FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- +goose Down
DROP TABLE ledger_closes;
DROP TABLE ledger_evidence;
DROP TABLE ledger_chain;
DROP TABLE ledger_balances;
DROP TABLE ledger_postings;
DROP TABLE ledger_entries;
DROP FUNCTION ledger_append_only();
DROP FUNCTION ledger_postings_guard();
DROP FUNCTION ledger_entries_guard();
