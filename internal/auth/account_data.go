package auth

// "我的数据": a resident sees and downloads what the platform holds about them, and deletes
// their account (个人信息保护法 第四十五条 查阅、复制; 第四十七条 删除). Deleting keeps the
// reports — a case belongs to the district's record and to whoever else reported the same
// problem — but removes whatever ties them to the person: the reporter link, name and phone
// on the case, the follow link of merged reports, hotline caller links of the number.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/consent"
	"github.com/yiwang-gov/yiwang/internal/password"
)

// MyData is everything the platform holds about one account, as its owner downloads it.
type MyData struct {
	ExportedAt    time.Time        `json:"exported_at"`
	Account       MyAccount        `json:"account"`
	Consents      []consent.Record `json:"consents"`
	Reports       []MyReport       `json:"reports"`
	Followed      []MyFollow       `json:"followed"`
	Actions       []MyAction       `json:"actions"`
	Notifications []MyNotification `json:"notifications"`
	Sessions      []MySession      `json:"sessions"`
}

// MyAccount is the account itself, with the phone number in the clear (its owner's own).
type MyAccount struct {
	ID          string         `json:"id"`
	Username    string         `json:"username"`
	DisplayName string         `json:"display_name"`
	Phone       string         `json:"phone"`
	Roles       []access.Grant `json:"roles"`
	CreatedAt   time.Time      `json:"created_at"`
	LastLoginAt *time.Time     `json:"last_login_at,omitempty"`
	MFA         bool           `json:"second_factor"`
}

// MyReport is a case the account reported, with what the reporter gave.
type MyReport struct {
	Number        string     `json:"number"`
	Status        string     `json:"status"`
	Kind          string     `json:"kind"`
	Channel       string     `json:"channel"`
	Category      string     `json:"category_code"`
	Address       string     `json:"address"`
	Lat           float64    `json:"lat"`
	Lng           float64    `json:"lng"`
	Description   string     `json:"description"`
	ReporterName  string     `json:"reporter_name"`
	ReporterPhone string     `json:"reporter_phone"`
	Anonymous     bool       `json:"anonymous"`
	Rating        string     `json:"rating,omitempty"`
	ReportedAt    time.Time  `json:"reported_at"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
}

// MyFollow is a case the account follows: its own report merged into it, or "我也遇到".
type MyFollow struct {
	Number     string    `json:"number"`
	Status     string    `json:"status"`
	ReportedAt time.Time `json:"reported_at"`
}

// MyAction is something the account did on a case (a rating, a note), with its own words.
type MyAction struct {
	Number string    `json:"number"`
	Action string    `json:"action"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
}

// MyNotification is a message the platform sent the account.
type MyNotification struct {
	Number    string     `json:"number,omitempty"`
	Kind      string     `json:"kind"`
	Text      string     `json:"text"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// MySession is a signed-in session of the account (its token is not shown).
type MySession struct {
	Kind       string    `json:"kind"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// ExportMyData gathers what the platform holds about the signed-in caller, and only the caller:
// every query is keyed by the caller's own id.
func (s *Service) ExportMyData(ctx context.Context) (MyData, error) {
	p, ok := access.From(ctx)
	if !ok || p.System {
		return MyData{}, apperr.New(apperr.Unauthenticated, "auth.required")
	}
	out := MyData{ExportedAt: s.Now().UTC(), Account: MyAccount{ID: p.UserID, Roles: p.Grants}}
	var phoneEnc string
	var last sql.NullTime
	var mfa int
	err := s.DB.QueryRow(ctx, `SELECT u.username, u.display_name, u.phone_enc, u.created_at, u.last_login_at,
		(SELECT count(*) FROM user_mfa m WHERE m.user_id = u.id) FROM users u WHERE u.id = $1`, p.UserID).
		Scan(&out.Account.Username, &out.Account.DisplayName, &phoneEnc, &out.Account.CreatedAt, &last, &mfa)
	if err != nil {
		return MyData{}, fmt.Errorf("export data of %s: %w", p.UserID, err)
	}
	if last.Valid {
		out.Account.LastLoginAt = &last.Time
	}
	out.Account.MFA = mfa > 0
	if out.Account.Phone, err = s.Vault.Open(phoneEnc); err != nil {
		return MyData{}, fmt.Errorf("export data of %s: %w", p.UserID, err)
	}
	if out.Consents, err = consent.History(ctx, s.DB, p.UserID); err != nil {
		return MyData{}, err
	}
	steps := []func(context.Context, string, *MyData) error{s.exportReports, s.exportFollowed, s.exportActions,
		s.exportNotifications, s.exportSessions}
	for _, step := range steps {
		if err := step(ctx, p.UserID, &out); err != nil {
			return MyData{}, fmt.Errorf("export data of %s: %w", p.UserID, err)
		}
	}
	return out, nil
}

func (s *Service) exportReports(ctx context.Context, userID string, out *MyData) error {
	rows, err := s.DB.Query(ctx, `SELECT number, status, kind, channel, category_code, address, lat, lng, description,
		reporter_name, reporter_name_enc, reporter_phone_enc, anonymous, rating, reported_at, closed_at
		FROM cases WHERE reporter_id = $1 ORDER BY reported_at, number`, userID)
	if err != nil {
		return err
	}
	defer rows.Close()
	out.Reports = []MyReport{}
	for rows.Next() {
		var r MyReport
		var masked, nameEnc, phoneEnc string
		var closed sql.NullTime
		if err := rows.Scan(&r.Number, &r.Status, &r.Kind, &r.Channel, &r.Category, &r.Address, &r.Lat, &r.Lng,
			&r.Description, &masked, &nameEnc, &phoneEnc, &r.Anonymous, &r.Rating, &r.ReportedAt, &closed); err != nil {
			return err
		}
		if closed.Valid {
			r.ClosedAt = &closed.Time
		}
		// The name is sealed (the masked form stays in reporter_name); rows from before sealing
		// hold it plain.
		if r.ReporterName, err = s.Vault.Open(nameEnc); err != nil {
			return err
		}
		if r.ReporterName == "" {
			r.ReporterName = masked
		}
		if r.ReporterPhone, err = s.Vault.Open(phoneEnc); err != nil {
			return err
		}
		out.Reports = append(out.Reports, r)
	}
	return rows.Err()
}

func (s *Service) exportFollowed(ctx context.Context, userID string, out *MyData) error {
	rows, err := s.DB.Query(ctx, `SELECT c.number, c.status, r.reported_at FROM case_reporters r
		JOIN cases c ON c.id = r.case_id WHERE r.reporter_id = $1 ORDER BY r.reported_at, c.number`, userID)
	if err != nil {
		return err
	}
	defer rows.Close()
	out.Followed = []MyFollow{}
	for rows.Next() {
		var f MyFollow
		if err := rows.Scan(&f.Number, &f.Status, &f.ReportedAt); err != nil {
			return err
		}
		out.Followed = append(out.Followed, f)
	}
	return rows.Err()
}

func (s *Service) exportActions(ctx context.Context, userID string, out *MyData) error {
	rows, err := s.DB.Query(ctx, `SELECT c.number, e.action, e.at, e.note FROM case_events e
		JOIN cases c ON c.id = e.case_id WHERE e.actor_id = $1 ORDER BY e.at, e.seq`, userID)
	if err != nil {
		return err
	}
	defer rows.Close()
	out.Actions = []MyAction{}
	for rows.Next() {
		var a MyAction
		if err := rows.Scan(&a.Number, &a.Action, &a.At, &a.Note); err != nil {
			return err
		}
		out.Actions = append(out.Actions, a)
	}
	return rows.Err()
}

func (s *Service) exportNotifications(ctx context.Context, userID string, out *MyData) error {
	rows, err := s.DB.Query(ctx, `SELECT COALESCE(c.number, ''), n.kind, n.text, n.created_at, n.read_at FROM notifications n
		LEFT JOIN cases c ON c.id = n.case_id WHERE n.user_id = $1 ORDER BY n.created_at, n.id`, userID)
	if err != nil {
		return err
	}
	defer rows.Close()
	out.Notifications = []MyNotification{}
	for rows.Next() {
		var n MyNotification
		var read sql.NullTime
		if err := rows.Scan(&n.Number, &n.Kind, &n.Text, &n.CreatedAt, &read); err != nil {
			return err
		}
		if read.Valid {
			n.ReadAt = &read.Time
		}
		out.Notifications = append(out.Notifications, n)
	}
	return rows.Err()
}

func (s *Service) exportSessions(ctx context.Context, userID string, out *MyData) error {
	rows, err := s.DB.Query(ctx, `SELECT kind, created_at, last_seen_at, expires_at FROM sessions
		WHERE user_id = $1 ORDER BY created_at`, userID)
	if err != nil {
		return err
	}
	defer rows.Close()
	out.Sessions = []MySession{}
	for rows.Next() {
		var m MySession
		if err := rows.Scan(&m.Kind, &m.CreatedAt, &m.LastSeenAt, &m.ExpiresAt); err != nil {
			return err
		}
		out.Sessions = append(out.Sessions, m)
	}
	return rows.Err()
}

// DeleteMe is how the owner confirms deleting their account: the password, or a sign-in code
// sent to the account's phone (POST /api/v1/auth/login/code).
type DeleteMe struct {
	Password string `json:"password"`
	Code     string `json:"code"`
}

// DeleteMyAccount disables the caller's resident account and removes or anonymises its personal
// data; reports stay, anonymised. Staff accounts are closed by the security administrator, not
// by themselves (their actions are the district's record).
func (s *Service) DeleteMyAccount(ctx context.Context, in DeleteMe) error {
	p, ok := access.From(ctx)
	if !ok || p.System {
		return apperr.New(apperr.Unauthenticated, "auth.required")
	}
	if len(p.Grants) == 0 || !onlyResident(p.Grants) {
		return apperr.New(apperr.Forbidden, "account.staff_cannot_delete")
	}
	if (in.Password == "") == (in.Code == "") || len(in.Password) > 256 || len(in.Code) > 16 {
		return apperr.New(apperr.Invalid, "account.confirm_required")
	}
	now := s.Now().UTC()
	actor := access.ActorOf(ctx, access.Grant{})
	entry := audit.For(actor, now, "account.delete", "user", p.UserID)
	var pwHash, phoneHash string
	var phone sql.NullString
	if err := s.DB.QueryRow(ctx, `SELECT password_hash, phone_hash FROM users WHERE id = $1`, p.UserID).Scan(&pwHash, &phone); err != nil {
		return fmt.Errorf("delete account %s: %w", p.UserID, err)
	}
	phoneHash = phone.String
	// Wrong confirmations are throttled like wrong passwords, under a key of their own.
	key := "delete:" + p.UserID
	if err := s.admit(ctx, key, actor.IP, now); err != nil {
		entry.Result, entry.After = audit.Denied, "throttled"
		return s.deny(ctx, entry, err)
	}
	if err := s.confirmOwner(ctx, in, pwHash, phoneHash, now); err != nil {
		entry.Result, entry.After = audit.Denied, "wrong confirmation"
		if wait := s.waitAfterFailure(ctx, key, actor.IP, now); wait > 0 && apperr.CodeOf(err) != apperr.Internal {
			err = throttled(wait)
		}
		return s.deny(ctx, entry, err)
	}
	if err := s.succeeded(ctx, key, actor.IP); err != nil {
		return err
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		reports, err := s.anonymise(ctx, tx, p.UserID, phoneHash, now)
		if err != nil {
			return err
		}
		entry.After = audit.Summary(map[string]any{"reports_anonymised": reports})
		_, err = audit.Append(ctx, s.DB, tx, entry)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete account %s: %w", p.UserID, err)
	}
	s.Forget(p.UserID)
	return nil
}

// confirmOwner checks the password or the sign-in code of the account.
func (s *Service) confirmOwner(ctx context.Context, in DeleteMe, pwHash, phoneHash string, now time.Time) error {
	if in.Password != "" {
		ok, err := s.Hasher.Verify(ctx, in.Password, pwHash)
		if err != nil && !errors.Is(err, password.ErrMalformed) {
			return err
		}
		if !ok {
			return apperr.New(apperr.Unauthenticated, "account.wrong_confirmation")
		}
		return nil
	}
	if phoneHash == "" {
		return apperr.New(apperr.Unauthenticated, "account.wrong_confirmation")
	}
	if err := s.claimLoginCode(ctx, phoneHash, in.Code, now); err != nil {
		if c := apperr.CodeOf(err); c == apperr.Unauthenticated {
			return apperr.New(apperr.Unauthenticated, "account.wrong_confirmation")
		}
		return err
	}
	return nil
}

// anonymise removes what identifies userID, in tx, and returns how many reports it kept
// anonymised. The account row stays (the audit log and cases refer to it) with nothing
// personal left, disabled, and can never sign in again.
func (s *Service) anonymise(ctx context.Context, tx *sql.Tx, userID, phoneHash string, now time.Time) (int64, error) {
	res, err := s.DB.TxExec(ctx, tx, `UPDATE cases SET reporter_id = '', reporter_name = '', reporter_name_enc = '',
		reporter_phone_enc = '', reporter_phone_masked = '', updated_at = $2 WHERE reporter_id = $1`, userID, now)
	if err != nil {
		return 0, err
	}
	reports, _ := res.RowsAffected()
	steps := []struct {
		q   string
		arg string
	}{
		{`UPDATE case_reporters SET reporter_id = '' WHERE reporter_id = $1`, userID},
		{`UPDATE case_events SET actor_name = '' WHERE actor_id = $1`, userID},
		{`DELETE FROM notifications WHERE user_id = $1`, userID},
		{`DELETE FROM sessions WHERE user_id = $1`, userID},
		{`DELETE FROM mfa_challenges WHERE user_id = $1`, userID},
		{`DELETE FROM mfa_recovery_codes WHERE user_id = $1`, userID},
		{`DELETE FROM user_mfa WHERE user_id = $1`, userID},
		{`DELETE FROM role_grants WHERE user_id = $1`, userID},
		{`DELETE FROM case_callers WHERE phone_hash = $1`, phoneHash},
		{`DELETE FROM login_codes WHERE phone_hash = $1`, phoneHash},
		{`DELETE FROM verification_codes WHERE phone_hash = $1`, phoneHash},
	}
	for _, step := range steps {
		if step.arg == "" {
			continue
		}
		if _, err := s.DB.TxExec(ctx, tx, step.q, step.arg); err != nil {
			return 0, err
		}
	}
	// A password hash that no password matches ("!": not of the hasher's format).
	_, err = s.DB.TxExec(ctx, tx, `UPDATE users SET username = $2, display_name = '', phone_enc = '', phone_hash = NULL,
		phone_masked = '', password_hash = '!', disabled = true, must_change_password = false, deleted_at = $3,
		updated_at = $3 WHERE id = $1`, userID, "deleted-"+userID, now)
	return reports, err
}
