package cases

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
)

// ImportLine is one historic case in an NDJSON import: the fields of NewCase plus the events
// the old system recorded, replayed through the same workflow as live cases.
type ImportLine struct {
	NewCase
	Events []ImportEvent `json:"events"`
}

// ImportEvent is one step of a historic case.
type ImportEvent struct {
	Action         Action    `json:"action"`
	At             time.Time `json:"at"`
	Note           string    `json:"note,omitempty"`
	Result         string    `json:"result,omitempty"`
	Rating         Rating    `json:"rating,omitempty"`
	DepartmentCode string    `json:"department_code,omitempty"`
	Assisting      []string  `json:"assisting_department_codes,omitempty"`
}

// ImportReport says what a batch did.
type ImportReport struct {
	Lines    int `json:"lines"`
	Imported int `json:"imported"`
	Skipped  int `json:"skipped"` // external_id already imported (imports are idempotent)
}

// Import limits.
const (
	MaxImportLines = 20000
	MaxImportBytes = 64 << 20
)

// importRole is who is taken to have acted in the old system.
func importRole(a Action) access.Role {
	if s, ok := workflow[a]; ok && len(s.roles) > 0 {
		return s.roles[0]
	}
	return ""
}

// Import reads NDJSON historic cases. The whole batch is checked first — every line with every
// problem is reported — and written in one transaction only when no line has an error. Lines
// whose external_id was imported before are skipped, so a batch can be sent again safely.
func (s *Service) Import(ctx context.Context, r io.Reader) (ImportReport, error) {
	scope, err := access.Need(ctx, access.CaseImport)
	if err != nil {
		return ImportReport{}, err
	}
	var rep ImportReport
	var details []apperr.Detail
	type ready struct {
		c      Case
		phone  string
		events []ImportEvent
		states []State
	}
	var batch []ready
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		rep.Lines++
		if rep.Lines > MaxImportLines {
			return rep, apperr.New(apperr.TooLarge, "case.import_too_many", MaxImportLines)
		}
		fail := func(err error) {
			d := apperr.Detail{Line: lineNo, Message: err.Error()}
			if e, ok := apperr.As(err); ok {
				d.Message, d.Args = e.Key, e.Args
				if len(e.Details) > 0 {
					d.Field, d.Message, d.Args = e.Details[0].Field, e.Details[0].Message, e.Details[0].Args
				}
			}
			details = append(details, d)
		}
		var in ImportLine
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			details = append(details, apperr.Detail{Line: lineNo, Message: "request.bad_json"})
			continue
		}
		if in.ExternalID == "" || in.ReportedAt == nil {
			details = append(details, apperr.Detail{Line: lineNo, Field: "external_id", Message: "case.import_needs_id_and_time"})
			continue
		}
		if prev, dup := seen[in.ExternalID]; dup {
			details = append(details, apperr.Detail{Line: lineNo, Field: "external_id", Message: "case.import_duplicate_line", Args: []any{prev}})
			continue
		}
		seen[in.ExternalID] = lineNo
		if in.Channel == "" {
			in.Channel = Import
		}
		if !contains(Channels, in.Channel) {
			details = append(details, apperr.Detail{Line: lineNo, Field: "channel", Message: "case.bad_channel"})
			continue
		}
		var exists int
		if err := s.DB.Read.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE external_id = $1`, in.ExternalID).Scan(&exists); err != nil {
			return rep, err
		}
		if exists > 0 {
			rep.Skipped++
			continue
		}
		prep, err := s.prepare(ctx, in.NewCase)
		if err != nil {
			fail(err)
			continue
		}
		c := prep.c
		c.ReportedAt = in.ReportedAt.UTC()
		c.Status = Reported
		if c.Channel.public() {
			if cat, err := s.Catalogue.Category(ctx, c.CategoryClass, c.CategoryCode); err == nil && cat.ConfirmRequired {
				c.Status = Confirming
			}
		}
		st := State{Status: c.Status}
		var states []State
		last := c.ReportedAt
		ok := true
		for i, ev := range in.Events {
			if ev.At.IsZero() || ev.At.Before(last) {
				details = append(details, apperr.Detail{Line: lineNo, Field: fmt.Sprintf("events[%d].at", i), Message: "case.import_event_order"})
				ok = false
				break
			}
			if ev.Action == Dispatch {
				if _, err := s.Org.NodeByCode(ctx, ev.DepartmentCode); err != nil {
					details = append(details, apperr.Detail{Line: lineNo, Field: fmt.Sprintf("events[%d].department_code", i), Message: "case.unknown_department"})
					ok = false
					break
				}
			}
			note := ev.Note
			if len([]rune(note)) < 2 {
				note = "历史数据导入"
			}
			out, err := Next(st, Input{Action: ev.Action, Role: importRole(ev.Action), Result: ev.Result, Rating: ev.Rating,
				DepartmentCode: ev.DepartmentCode, Note: note, IsReporter: true, IsLeadDepartment: true})
			if err != nil {
				d := apperr.Detail{Line: lineNo, Field: fmt.Sprintf("events[%d].action", i), Message: "case.illegal_transition",
					Args: []any{ev.Action, st.Status}}
				if e, ok := apperr.As(err); ok {
					d.Message, d.Args = e.Key, e.Args
				}
				details = append(details, d)
				ok = false
				break
			}
			st, last = out.Next, ev.At
			states = append(states, st)
		}
		if !ok {
			continue
		}
		c.state = st
		if in.Deadline != nil {
			d := in.Deadline.UTC()
			c.Deadline, c.imported = &d, true
		}
		batch = append(batch, ready{c: c, phone: prep.phoneEnc, events: in.Events, states: states})
	}
	if err := sc.Err(); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return rep, apperr.New(apperr.TooLarge, "request.too_large", maxErr.Limit)
		}
		if errors.Is(err, bufio.ErrTooLong) {
			return rep, apperr.New(apperr.Invalid, "case.import_line_too_long")
		}
		return rep, apperr.New(apperr.Invalid, "request.bad_json")
	}
	if len(details) > 0 {
		return rep, apperr.New(apperr.Invalid, "case.import_failed", len(details)).WithDetails(details)
	}
	actor := access.ActorOf(ctx, scope.Primary())
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, b := range batch {
			c := b.c
			if err := s.insertImported(ctx, tx, &c, b.phone, b.events, b.states, actor); err != nil {
				return err
			}
			rep.Imported++
		}
		e := audit.For(actor, now, "case.import", "cases", fmt.Sprintf("%d lines", rep.Lines))
		e.After = fmt.Sprintf(`{"imported":%d,"skipped":%d}`, rep.Imported, rep.Skipped)
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return ImportReport{Lines: rep.Lines}, err
	}
	return rep, nil
}

// insertImported writes one historic case with its replayed events and final state.
func (s *Service) insertImported(ctx context.Context, tx *sql.Tx, c *Case, phoneEnc string, events []ImportEvent, states []State, actor access.Actor) error {
	final := c.state
	initial := c.Status
	c.StageStartedAt, c.UpdatedAt = c.ReportedAt, c.ReportedAt
	if err := s.startStage(ctx, c, c.ReportedAt); err != nil {
		return err
	}
	if err := s.insert(ctx, tx, c, "", phoneEnc); err != nil {
		return err
	}
	report := eventRow{action: Report, status: initial, actor: actor, at: c.ReportedAt, public: true,
		data: map[string]any{"channel": c.Channel, "imported": true}}
	if err := s.appendEvent(ctx, tx, c.ID, 1, report); err != nil {
		return err
	}
	stamps := map[string]any{}
	var stageStart time.Time = c.ReportedAt
	for i, ev := range events {
		st := states[i]
		a := access.Actor{Name: "import", Role: string(importRole(ev.Action))}
		data := map[string]any{"imported": true}
		switch ev.Action {
		case Confirm, Verify:
			data["result"] = ev.Result
		case Rate:
			data["rating"] = ev.Rating
		case Dispatch:
			data["department_code"] = ev.DepartmentCode
			if _, err := tx.ExecContext(ctx, `DELETE FROM case_departments WHERE case_id = $1`, c.ID); err != nil {
				return err
			}
			for j, code := range append([]string{ev.DepartmentCode}, ev.Assisting...) {
				role := "assisting"
				if j == 0 {
					role = "lead"
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO case_departments (case_id, department_code, role, since) VALUES ($1,$2,$3,$4)`,
					c.ID, code, role, ev.At.UTC()); err != nil {
					return err
				}
			}
		}
		switch ev.Action {
		case Register:
			stamps["registered_at"] = ev.At.UTC()
		case Dispatch:
			stamps["dispatched_at"] = ev.At.UTC()
		case Close, Overrule:
			stamps["closed_at"] = ev.At.UTC()
		case Verify:
			if ev.Result == "fail" {
				c.ReworkCount++
			}
		case Rework:
			c.ReworkCount++
		case Supervise:
			c.SuperviseCount++
		}
		if i == 0 || states[i-1].Status != st.Status {
			stageStart = ev.At.UTC()
		}
		if err := s.appendEvent(ctx, tx, c.ID, i+2, eventRow{action: ev.Action, status: st.Status, actor: a,
			at: ev.At.UTC(), note: ev.Note, data: data, public: true}); err != nil {
			return err
		}
	}
	imported := c.Deadline
	c.Status = final.Status
	if err := s.startStage(ctx, c, stageStart); err != nil {
		return err
	}
	if imported != nil && c.imported {
		c.Deadline = imported
		if c.Stage == StageHandle {
			c.StageDue = imported
		}
	}
	c.LeadDepartment, c.ReopenCount, c.Rating = final.LeadDepartment, final.ReopenCount, final.Rating
	q := `UPDATE cases SET status=$2, previous_status=$3, lead_department=$4, rework_count=$5, reopen_count=$6, reopened=$7,
		supervise_count=$8, rating=$9, rated=$10, stage=$11, stage_started_at=$12, stage_due=$13, handle_due=$14, updated_at=$15`
	args := []any{c.ID, string(c.Status), string(final.PreviousStatus), c.LeadDepartment, c.ReworkCount, c.ReopenCount,
		final.Reopened, c.SuperviseCount, string(c.Rating), final.Rated, string(c.Stage), c.StageStartedAt,
		dueValue(c.StageDue), nullTime(c.Deadline), stageStart}
	for _, col := range []string{"registered_at", "dispatched_at", "closed_at"} {
		if v, ok := stamps[col]; ok {
			args = append(args, v)
			q += fmt.Sprintf(", %s=$%d", col, len(args))
		}
	}
	_, err := tx.ExecContext(ctx, q+" WHERE id=$1", args...)
	return err
}
