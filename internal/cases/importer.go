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
// whose external_id was imported before are skipped, so a batch can be sent again safely. Each
// line goes through the intake pipeline as a historic case: its report time, events and deadline
// are the old system's.
func (s *Service) Import(ctx context.Context, r io.Reader) (ImportReport, error) {
	scope, err := access.Need(ctx, access.CaseImport)
	if err != nil {
		return ImportReport{}, err
	}
	actor := access.ActorOf(ctx, scope.Primary())
	now := s.Now()
	var rep ImportReport
	var details []apperr.Detail
	var batch []*intake
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
		if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM cases WHERE external_id = $1`, in.ExternalID).Scan(&exists); err != nil {
			return rep, err
		}
		if exists > 0 {
			rep.Skipped++
			continue
		}
		it := &intake{Intake: Intake{NewCase: in.NewCase}, actor: actor, now: now, history: &history{events: in.Events}}
		if err := s.check(ctx, it); err != nil {
			details = append(details, lineDetail(lineNo, err))
			continue
		}
		batch = append(batch, it)
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
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		rep.Imported = 0
		for _, it := range batch {
			if err := s.store(ctx, tx, it); err != nil {
				return err
			}
			rep.Imported++
		}
		e := audit.For(actor, now.UTC(), "case.import", "cases", fmt.Sprintf("%d lines", rep.Lines))
		e.After = fmt.Sprintf(`{"imported":%d,"skipped":%d}`, rep.Imported, rep.Skipped)
		_, err := audit.Append(ctx, s.DB, tx, e)
		return err
	})
	if err != nil {
		return ImportReport{Lines: rep.Lines}, err
	}
	return rep, nil
}

// lineDetail is the error of one line: its first detail (field and message), else its message.
func lineDetail(lineNo int, err error) apperr.Detail {
	d := apperr.Detail{Line: lineNo, Message: err.Error()}
	if e, ok := apperr.As(err); ok {
		d.Message, d.Args = e.Key, e.Args
		if len(e.Details) > 0 {
			d.Field, d.Message, d.Args = e.Details[0].Field, e.Details[0].Message, e.Details[0].Args
		}
	}
	return d
}

// history is what the old system recorded of a historic case: its steps, and the states they led
// to (replayHistory checks them through the workflow).
type history struct {
	events []ImportEvent
	states []State // after each event
}

// replayHistory takes a historic case's recorded steps through the same workflow as live cases:
// in time order, to known departments, each allowed where the case stood.
func (s *Service) replayHistory(ctx context.Context, it *intake) error {
	h := it.history
	if h == nil {
		return nil
	}
	eventError := func(field, key string, args ...any) error {
		return apperr.New(apperr.Invalid, key, args...).WithDetails([]apperr.Detail{{Field: field, Message: key, Args: args}})
	}
	st := State{Status: it.c.Status}
	last := it.c.ReportedAt
	h.states = nil
	for i, ev := range h.events {
		if ev.At.IsZero() || ev.At.Before(last) {
			return eventError(fmt.Sprintf("events[%d].at", i), "case.import_event_order")
		}
		if ev.Action == Dispatch {
			if _, err := s.Org.NodeByCode(ctx, ev.DepartmentCode); err != nil {
				return eventError(fmt.Sprintf("events[%d].department_code", i), "case.unknown_department")
			}
		}
		note := ev.Note
		if len([]rune(note)) < 2 {
			note = "历史数据导入"
		}
		out, err := Next(st, Input{Action: ev.Action, Role: importRole(ev.Action), Result: ev.Result, Rating: ev.Rating,
			DepartmentCode: ev.DepartmentCode, Note: note, IsReporter: true, IsLeadDepartment: true})
		if err != nil {
			field := fmt.Sprintf("events[%d].action", i)
			if e, ok := apperr.As(err); ok {
				return eventError(field, e.Key, e.Args...)
			}
			return eventError(field, "case.illegal_transition", ev.Action, st.Status)
		}
		st, last = out.Next, ev.At
		h.states = append(h.states, st)
	}
	it.c.state = st
	return nil
}

// recordHistory writes a historic case's recorded steps as its events (after the report event)
// and brings the case row to where they led: final state, counters, timestamps, running clock.
func (s *Service) recordHistory(ctx context.Context, tx *sql.Tx, it *intake) error {
	c := it.c // the stored case stays as reported; the row is brought up to date
	final := c.state
	stamps := map[string]any{}
	stageStart := c.ReportedAt
	for i, ev := range it.history.events {
		st := it.history.states[i]
		a := access.Actor{Name: "import", Role: string(importRole(ev.Action))}
		data := map[string]any{"imported": true}
		switch ev.Action {
		case Confirm, Verify:
			data["result"] = ev.Result
		case Rate:
			data["rating"] = ev.Rating
		case Dispatch:
			data["department_code"] = ev.DepartmentCode
			if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM case_departments WHERE case_id = $1`, c.ID); err != nil {
				return err
			}
			for j, code := range append([]string{ev.DepartmentCode}, ev.Assisting...) {
				role := "assisting"
				if j == 0 {
					role = "lead"
				}
				if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO case_departments (case_id, department_code, role, since) VALUES ($1,$2,$3,$4)`,
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
		prev := c.Status
		if i > 0 {
			prev = it.history.states[i-1].Status
		}
		if prev != st.Status {
			due, err := s.importedDue(ctx, &c, prev, stageStart)
			if err != nil {
				return err
			}
			stampEnded(data, stageOf(prev), due)
		}
		if i == 0 || it.history.states[i-1].Status != st.Status {
			stageStart = ev.At.UTC()
		}
		if err := s.appendEvent(ctx, tx, c.ID, i+2, eventRow{action: ev.Action, status: st.Status, actor: a,
			at: ev.At.UTC(), note: ev.Note, data: data, public: true}); err != nil {
			return err
		}
	}
	imported := c.Deadline
	c.Status = final.Status
	if err := s.startStage(ctx, &c, stageStart); err != nil {
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
	_, err := s.DB.TxExec(ctx, tx, q+" WHERE id=$1", args...)
	return err
}

// importedDue is the limit of the clock an imported step stopped: the stage of the status it
// left, started when that status began, limited as a live case's would be (the handling stage
// by the deadline the old system recorded, when it gave one).
func (s *Service) importedDue(ctx context.Context, c *Case, from Status, start time.Time) (*time.Time, error) {
	stage := stageOf(from)
	if stage == StageNone {
		return nil, nil
	}
	if stage == StageHandle && c.imported && c.Deadline != nil {
		return c.Deadline, nil
	}
	due, ok, err := s.Clock.Due(ctx, CategoryRef{Class: c.CategoryClass, Code: c.CategoryCode}, c.Urgency, stage, start)
	if err != nil || !ok {
		return nil, err
	}
	return &due, nil
}
