-- +goose Up
-- Failed sign-ins (package auth, throttle.go), counted by the statement that admits an attempt,
-- so parallel guesses cannot all read the same count. 等保 2.0 (GB/T 22239-2019 8.1.4.1 b):
-- 登录失败处理、限制非法登录次数. Times are Unix milliseconds (UTC): the growing delay is computed in
-- the same statement on both engines, which share integer arithmetic but not date arithmetic.
--
-- One row per (account, client address): failures, the current delay, and when the last counted
-- attempt was made; no attempt is admitted before last_at_ms + delay_ms. account is the user's id,
-- or '?' and the lower-cased name for an unknown account (so unknown names behave the same).
CREATE TABLE login_failures (
    account    TEXT NOT NULL,
    client_ip  TEXT NOT NULL,
    failures   INTEGER NOT NULL,
    delay_ms   BIGINT NOT NULL DEFAULT 0,
    last_at_ms BIGINT NOT NULL,
    PRIMARY KEY (account, client_ip)
);

-- One row per client address, across all usernames: failures in the window that began at
-- window_from_ms.
CREATE TABLE login_failures_by_ip (
    client_ip      TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL,
    window_from_ms BIGINT NOT NULL
);

-- +goose Down
DROP TABLE login_failures_by_ip;
DROP TABLE login_failures;
