package whistle

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// The whistle's SQL: one text for both engines, $N placeholders, times in UTC.

const whistleColumns = `w.id, w.case_id, w.case_number, w.kind, w.status, w.ask, w.lat, w.lng, w.grid_code,
	w.community_code, w.subdistrict_code, w.path, w.check_in_minutes, w.blown_by, w.blown_by_name, w.blown_role,
	w.blown_at, w.closed_at, w.cancelled_at, w.note, w.flag_distance_m`

type scanner interface{ Scan(...any) error }

func scanWhistle(row scanner) (Whistle, error) {
	var w Whistle
	var kind, status string
	var minutes sql.NullInt64
	var closed, cancelled sql.NullTime
	err := row.Scan(&w.ID, &w.CaseID, &w.CaseNumber, &kind, &status, &w.Ask, &w.Lat, &w.Lng, &w.GridCode,
		&w.CommunityCode, &w.SubdistrictCode, &w.path, &minutes, &w.BlownBy, &w.BlownByName, &w.BlownRole,
		&w.BlownAt, &closed, &cancelled, &w.Note, &w.FlagDistanceM)
	if err != nil {
		return w, err
	}
	w.Kind, w.Status, w.BlownAt = Kind(kind), Status(status), w.BlownAt.UTC()
	if minutes.Valid {
		m := int(minutes.Int64)
		w.CheckInMinutes = &m
	}
	w.ClosedAt, w.CancelledAt = timePtr(closed), timePtr(cancelled)
	w.Summons = []Summons{}
	return w, nil
}

const summonsColumns = `whistle_id, department_code, department_name, task, status, due_at, acknowledged_at,
	checked_in_at, check_in_lat, check_in_lng, distance_m, late, flagged, task_done_at, task_note, escalated_at,
	stars, rating_note, rated_at`

func scanSummons(row scanner) (string, Summons, error) {
	var s Summons
	var whistleID, status string
	var acked, checked, done, escalated, rated sql.NullTime
	var lat, lng sql.NullFloat64
	var distance, stars sql.NullInt64
	err := row.Scan(&whistleID, &s.DepartmentCode, &s.DepartmentName, &s.Task, &status, &s.DueAt, &acked, &checked,
		&lat, &lng, &distance, &s.Late, &s.Flagged, &done, &s.TaskNote, &escalated, &stars, &s.RatingNote, &rated)
	if err != nil {
		return "", s, err
	}
	s.Status, s.DueAt = Answer(status), s.DueAt.UTC()
	s.AcknowledgedAt, s.CheckedInAt, s.TaskDoneAt = timePtr(acked), timePtr(checked), timePtr(done)
	s.EscalatedAt, s.RatedAt = timePtr(escalated), timePtr(rated)
	if lat.Valid && lng.Valid {
		s.CheckInLat, s.CheckInLng = &lat.Float64, &lng.Float64
	}
	s.DistanceM, s.Stars = intPtr(distance), intPtr(stars)
	return whistleID, s, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// load reads one whistle the scope reaches, with its summons; tx nil reads outside a
// transaction. A whistle out of reach is not found: its existence is not told.
func (s *Service) load(ctx context.Context, tx *sql.Tx, scope access.Scope, id string) (Whistle, error) {
	cond, args := scope.Where(ObjectKind, "w", 2)
	q := `SELECT ` + whistleColumns + ` FROM whistles w WHERE w.id = $1 AND ` + cond
	args = append([]any{id}, args...)
	var row *sql.Row
	if tx == nil {
		row = s.DB.QueryRow(ctx, q, args...)
	} else {
		row = s.DB.TxQueryRow(ctx, tx, q, args...)
	}
	w, err := scanWhistle(row)
	if errors.Is(err, sql.ErrNoRows) {
		return w, apperr.New(apperr.NotFound, "whistle.not_found")
	}
	if err != nil {
		return w, fmt.Errorf("load whistle %s: %w", id, err)
	}
	byWhistle, err := s.summonsOf(ctx, tx, []string{w.ID})
	if err != nil {
		return w, err
	}
	w.Summons = append(w.Summons, byWhistle[w.ID]...)
	return w, nil
}

// loadForUpdate is load inside a write transaction; on PostgreSQL it locks the whistle's row so
// that two answers to one whistle run one after the other (SQLite has a single writer).
func (s *Service) loadForUpdate(ctx context.Context, tx *sql.Tx, scope access.Scope, id string) (Whistle, error) {
	if s.DB.Engine == db.Postgres {
		if _, err := s.DB.TxExec(ctx, tx, `SELECT 1 FROM whistles WHERE id = $1 FOR UPDATE`, id); err != nil {
			return Whistle{}, fmt.Errorf("lock whistle: %w", err)
		}
	}
	return s.load(ctx, tx, scope, id)
}

// summonsOf reads the summons of whistles, by whistle, in department order.
func (s *Service) summonsOf(ctx context.Context, tx *sql.Tx, ids []string) (map[string][]Summons, error) {
	out := map[string][]Summons{}
	if len(ids) == 0 {
		return out, nil
	}
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	q := `SELECT ` + summonsColumns + ` FROM whistle_summons WHERE whistle_id IN (` + strings.Join(ph, ",") + `)
		ORDER BY whistle_id, department_code`
	var rows *sql.Rows
	var err error
	if tx == nil {
		rows, err = s.DB.Query(ctx, q, args...)
	} else {
		rows, err = s.DB.TxQuery(ctx, tx, q, args...)
	}
	if err != nil {
		return nil, fmt.Errorf("read summons: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		id, sm, err := scanSummons(rows)
		if err != nil {
			return nil, fmt.Errorf("read summons: %w", err)
		}
		out[id] = append(out[id], sm)
	}
	return out, rows.Err()
}

// insert writes a new whistle and its summons.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, w Whistle) error {
	var minutes any
	if w.CheckInMinutes != nil {
		minutes = *w.CheckInMinutes
	}
	if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO whistles (id, case_id, case_number, kind, status, ask, lat, lng,
		grid_code, community_code, subdistrict_code, path, check_in_minutes, blown_by, blown_by_name, blown_role,
		blown_org_code, blown_at, updated_at, flag_distance_m)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$18,$19)`,
		w.ID, w.CaseID, w.CaseNumber, string(w.Kind), string(w.Status), w.Ask, w.Lat, w.Lng, w.GridCode,
		w.CommunityCode, w.SubdistrictCode, w.path, minutes, w.BlownBy, w.BlownByName, w.BlownRole, w.blownOrg,
		w.BlownAt, w.FlagDistanceM); err != nil {
		return fmt.Errorf("insert whistle: %w", err)
	}
	for _, sm := range w.Summons {
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO whistle_summons (whistle_id, department_code, department_name,
			task, status, due_at) VALUES ($1,$2,$3,$4,$5,$6)`,
			w.ID, sm.DepartmentCode, sm.DepartmentName, sm.Task, string(sm.Status), sm.DueAt); err != nil {
			return fmt.Errorf("insert summons %s: %w", sm.DepartmentCode, err)
		}
	}
	return nil
}

// exec runs one update that must touch exactly one row (the row was loaded and locked first).
func (s *Service) exec(ctx context.Context, tx *sql.Tx, what, q string, args ...any) error {
	res, err := s.DB.TxExec(ctx, tx, q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err == nil && n != 1 {
		return fmt.Errorf("%s: %d rows changed, want 1", what, n)
	}
	return nil
}

// Filter narrows the list of whistles.
type Filter struct {
	Status     Status
	Kind       Kind
	Department string
	CaseID     string
	Limit      int
	Cursor     string
}

// Page is one page of whistles, newest first.
type Page struct {
	Whistles   []Whistle `json:"whistles"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// position is the place after the last whistle of a page.
type position struct {
	At time.Time `json:"a"`
	ID string    `json:"i"`
}

// listRows reads a page of the whistles in scope that pass f, newest first.
func (s *Service) listRows(ctx context.Context, scope access.Scope, f Filter, after *position, limit int) ([]Whistle, error) {
	cond, args := scope.Where(ObjectKind, "w", 1)
	conds := []string{cond}
	add := func(c string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(c, len(args)))
	}
	if f.Status != "" {
		add("w.status = $%d", string(f.Status))
	}
	if f.Kind != "" {
		add("w.kind = $%d", string(f.Kind))
	}
	if f.CaseID != "" {
		add("w.case_id = $%d", f.CaseID)
	}
	if f.Department != "" {
		add("EXISTS (SELECT 1 FROM whistle_summons f WHERE f.whistle_id = w.id AND f.department_code = $%d)", f.Department)
	}
	if after != nil {
		args = append(args, after.At, after.ID)
		n := len(args)
		conds = append(conds, fmt.Sprintf("(w.blown_at < $%d OR (w.blown_at = $%d AND w.id < $%d))", n-1, n-1, n))
	}
	args = append(args, limit)
	q := `SELECT ` + whistleColumns + ` FROM whistles w WHERE ` + strings.Join(conds, " AND ") +
		fmt.Sprintf(` ORDER BY w.blown_at DESC, w.id DESC LIMIT $%d`, len(args))
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list whistles: %w", err)
	}
	defer rows.Close()
	out := []Whistle{}
	for rows.Next() {
		w, err := scanWhistle(rows)
		if err != nil {
			return nil, fmt.Errorf("list whistles: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// fact is one summons as the figures count it.
type fact struct {
	path string
	Fact
}

// facts reads the summons of the whistles in scope blown in [from, to), cancelled ones left out.
func (s *Service) facts(ctx context.Context, scope access.Scope, from, to time.Time) ([]fact, error) {
	cond, args := scope.Where(ObjectKind, "w", 3)
	rows, err := s.DB.Query(ctx, `SELECT w.path, w.blown_at, s.department_code, s.department_name, s.due_at,
		s.checked_in_at, s.late, s.escalated_at, s.stars
		FROM whistles w JOIN whistle_summons s ON s.whistle_id = w.id
		WHERE w.blown_at >= $1 AND w.blown_at < $2 AND w.status <> 'cancelled' AND `+cond+`
		ORDER BY s.department_code`, append([]any{from, to}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("whistle figures: %w", err)
	}
	defer rows.Close()
	var out []fact
	for rows.Next() {
		var f fact
		var checked, escalated sql.NullTime
		var stars sql.NullInt64
		if err := rows.Scan(&f.path, &f.BlownAt, &f.Code, &f.Name, &f.DueAt, &checked, &f.Late, &escalated, &stars); err != nil {
			return nil, fmt.Errorf("whistle figures: %w", err)
		}
		f.BlownAt, f.DueAt = f.BlownAt.UTC(), f.DueAt.UTC()
		f.CheckedInAt, f.Escalated, f.Stars = timePtr(checked), escalated.Valid, intPtr(stars)
		out = append(out, f)
	}
	return out, rows.Err()
}
