package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/audit"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// ActInput is the body of POST /api/v1/cases/{id}/actions/{action}.
type ActInput struct {
	Note           string     `json:"note,omitempty"`
	Result         string     `json:"result,omitempty"`          // confirm, verify: pass | fail
	Rating         Rating     `json:"rating,omitempty"`          // rate
	DepartmentCode string     `json:"department_code,omitempty"` // dispatch
	Assisting      []string   `json:"assisting_department_codes,omitempty"`
	TargetID       string     `json:"target_id,omitempty"`    // merge: the case this one duplicates
	NewDeadline    *time.Time `json:"new_deadline,omitempty"` // request_extension
	ReviewDate     *time.Time `json:"review_date,omitempty"`  // shelve (挂账) and defer (缓办)
	// reclassify: what the desk corrects (absent fields stay as they are).
	CategoryClass string   `json:"category_class,omitempty"`
	CategoryCode  string   `json:"category_code,omitempty"`
	Lat           *float64 `json:"lat,omitempty"`
	Lng           *float64 `json:"lng,omitempty"`
	Address       *string  `json:"address,omitempty"`
	Urgency       Urgency  `json:"urgency,omitempty"`
	Internal      bool     `json:"internal,omitempty"` // a note hidden from the reporter
}

// actorFor picks the grant under which the caller takes action on c: a role the workflow allows
// for the action, held where it reaches the case (access decides the reach).
func actorFor(p *access.Principal, c Case, a Action) (access.Grant, bool) {
	o := c.object()
	// A follower reads the case's public face but acts on nothing: only the reporter's own reach
	// (case.act: own) counts among the users.
	o.Users = nil
	if c.reporter != "" {
		o.Users = []string{c.reporter}
	}
	for _, g := range p.Grants {
		if Allowed(g.Role, a) && access.GrantReaches(p.UserID, g, access.CaseAct, o) {
			return g, true
		}
	}
	return access.Grant{}, false
}

// Act takes one workflow action on a case and records it as an event (and in the audit log).
func (s *Service) Act(ctx context.Context, id string, action Action, in ActInput) (Case, error) {
	scope, err := access.Need(ctx, access.CaseAct)
	if err != nil {
		return Case{}, err
	}
	p, _ := access.From(ctx)
	if !slices.Contains(Actions, action) {
		return Case{}, apperr.New(apperr.NotFound, "case.unknown_action", action)
	}
	if len([]rune(in.Note)) > MaxDescription {
		return Case{}, apperr.New(apperr.Invalid, "case.too_long")
	}
	now := s.Now().UTC()
	var c Case
	var change Change
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = s.loadForUpdate(ctx, tx, scope, id); err != nil {
			return err
		}
		grant, ok := actorFor(p, c, action)
		if !ok {
			// Tell apart "your role never does this" from "not on this case".
			for _, g := range p.Grants {
				if Allowed(g.Role, action) {
					return apperr.New(apperr.Forbidden, "auth.out_of_scope")
				}
			}
			role := access.Role("")
			if len(p.Grants) > 0 {
				role = p.Grants[0].Role
			}
			return apperr.New(apperr.Forbidden, "case.role_cannot", role, action)
		}
		wf := Input{Action: action, Role: grant.Role, Result: in.Result, Rating: in.Rating,
			DepartmentCode: in.DepartmentCode, Note: strings.TrimSpace(in.Note), IsReporter: c.reporter == p.UserID,
			IsLeadDepartment: grant.Role != access.DepartmentStaff || grant.OrgCode == c.LeadDepartment}
		out, err := Next(c.state, wf)
		if err != nil {
			return err
		}
		data, err := s.checkExtras(ctx, tx, scope, c, action, in, now)
		if err != nil {
			return err
		}
		actor := access.ActorOf(ctx, grant)
		before := c.Status
		if action == Reclassify {
			if err := s.reclassify(ctx, tx, &c, in, data); err != nil {
				return err
			}
		}
		ended, endedDue := c.Stage, c.StageDue
		if err := s.apply(ctx, tx, &c, action, in, out, now, data); err != nil {
			return err
		}
		if out.StageReset {
			stampEnded(data, ended, endedDue)
		}
		seq, err := s.nextSeq(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		ev := eventRow{action: action, status: c.Status, actor: actor, at: now, note: wf.Note, data: data, public: !in.Internal}
		if err := s.appendEvent(ctx, tx, c.ID, seq, ev); err != nil {
			return err
		}
		if out.Reopen {
			if err := s.appendEvent(ctx, tx, c.ID, seq+1, eventRow{action: Reopen, status: c.Status,
				actor: access.Actor{Name: "system"}, at: now, public: true}); err != nil {
				return err
			}
		}
		e := audit.For(actor, now, "case."+string(action), "case", c.ID)
		e.OrgPath, e.OrgCode = c.path, c.SubdistrictCode
		e.Before = string(before)
		e.After = string(c.Status)
		if _, err := audit.Append(ctx, s.DB, tx, e); err != nil {
			return err
		}
		change = Change{CaseID: c.ID, Number: c.Number, Action: action, Status: c.Status, Path: c.path,
			Reporter: c.reporter, Followers: c.followers, Depts: append([]string{c.LeadDepartment}, c.Assisting...), At: now}
		if err := s.record(ctx, tx, change); err != nil {
			return err
		}
		if out.Reopen {
			reopen := change
			reopen.Action = Reopen
			return s.record(ctx, tx, reopen)
		}
		return nil
	})
	if err != nil {
		return Case{}, err
	}
	s.wake()
	got, err := s.Get(ctx, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		// The action moved the case out of the caller's reach (reclassified to another
		// subdistrict): answer with the case as the action left it.
		return s.present(ctx, scope, c), nil
	}
	return got, err
}

func (s *Service) loadForUpdate(ctx context.Context, tx *sql.Tx, scope access.Scope, id string) (Case, error) {
	if s.DB.Engine == db.Postgres {
		// Two desks acting on one case at once: the second waits and sees the first's result.
		if _, err := s.DB.TxExec(ctx, tx, `SELECT 1 FROM cases WHERE id = $1 FOR UPDATE`, id); err != nil {
			return Case{}, fmt.Errorf("lock case: %w", err)
		}
	}
	return s.load(ctx, tx, scope, id)
}

func (s *Service) nextSeq(ctx context.Context, tx *sql.Tx, caseID string) (int, error) {
	var seq int
	err := s.DB.TxQueryRow(ctx, tx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE case_id = $1`, caseID).Scan(&seq)
	return seq, err
}

// checkExtras validates what an action refers to outside the case itself, and returns the data
// to record with the event.
func (s *Service) checkExtras(ctx context.Context, tx *sql.Tx, scope access.Scope, c Case, a Action, in ActInput, now time.Time) (map[string]any, error) {
	data := map[string]any{}
	switch a {
	case Confirm, Verify:
		data["result"] = in.Result
	case Rate:
		data["rating"] = in.Rating
	case Dispatch:
		// Any department node is a handling unit, whatever its level (a district bureau, a
		// subdistrict's 综合执法队, a community acting as a handler); a retired one takes nothing new.
		for _, code := range append([]string{in.DepartmentCode}, in.Assisting...) {
			var kind string
			var retired sql.NullTime
			err := s.DB.TxQueryRow(ctx, tx, `SELECT kind, retired_at FROM org_nodes WHERE code = $1`, code).Scan(&kind, &retired)
			if errors.Is(err, sql.ErrNoRows) || kind != "department" {
				return nil, apperr.New(apperr.Invalid, "case.unknown_department", code)
			}
			if err != nil {
				return nil, err
			}
			if retired.Valid {
				return nil, apperr.New(apperr.Invalid, "dispatch.unit_retired", code)
			}
		}
		if slices.Contains(in.Assisting, in.DepartmentCode) {
			return nil, apperr.New(apperr.Invalid, "case.lead_also_assisting")
		}
		data["department_code"] = in.DepartmentCode
		if len(in.Assisting) > 0 {
			data["assisting_department_codes"] = in.Assisting
		}
	case ReportBack:
		if err := s.checkEvidence(ctx, tx, c); err != nil {
			return nil, err
		}
	case Merge:
		if in.TargetID == "" || in.TargetID == c.ID {
			return nil, apperr.New(apperr.Invalid, "case.bad_merge_target")
		}
		// The desk merges only what its scope reaches on both sides (the case itself was loaded
		// in scope); residents join a case instead (join.go).
		target, err := s.load(ctx, tx, scope, in.TargetID)
		if err != nil {
			return nil, err
		}
		if !target.Status.Open() {
			return nil, apperr.New(apperr.Conflict, "case.merge_target_closed", target.Number)
		}
		data["target_id"], data["target_number"] = target.ID, target.Number
	case RequestExtension:
		if in.NewDeadline == nil || !in.NewDeadline.After(now) || (c.StageDue != nil && !in.NewDeadline.After(*c.StageDue)) {
			return nil, apperr.New(apperr.Invalid, "case.bad_new_deadline")
		}
		data["new_deadline"] = in.NewDeadline.UTC()
	case Shelve, Defer:
		if in.ReviewDate == nil || !in.ReviewDate.After(now) {
			return nil, apperr.New(apperr.Invalid, "case.bad_review_date")
		}
		data["review_date"] = in.ReviewDate.UTC()
	}
	return data, nil
}

// apply writes the outcome of an action to the case row.
func (s *Service) apply(ctx context.Context, tx *sql.Tx, c *Case, a Action, in ActInput, out Outcome, now time.Time, data map[string]any) error {
	st := out.Next
	c.Status = st.Status
	if out.StageReset {
		if err := s.startStage(ctx, c, now); err != nil {
			return err
		}
	}
	set := map[string]any{}
	switch a {
	case Confirm:
		set["confirm_result"] = in.Result
	case Register:
		set["registered_at"] = now
	case Dispatch:
		set["dispatched_at"] = now
		if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM case_departments WHERE case_id = $1`, c.ID); err != nil {
			return err
		}
		for i, code := range append([]string{in.DepartmentCode}, in.Assisting...) {
			role := "assisting"
			if i == 0 {
				role = "lead"
			}
			if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO case_departments (case_id, department_code, role, since) VALUES ($1,$2,$3,$4)`,
				c.ID, code, role, now); err != nil {
				return fmt.Errorf("dispatch: %w", err)
			}
		}
		c.Assisting = in.Assisting
	case ApproveExtension:
		due, err := s.requestedDeadline(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		c.StageDue = &due
		if c.Stage == StageHandle {
			c.Deadline = &due
		}
		data["new_deadline"] = due
	case Supervise:
		c.SuperviseCount++
	case Verify:
		if out.Rework {
			c.ReworkCount++
		}
	case Rework:
		c.ReworkCount++
	case Close:
		set["closed_at"] = now
	case Merge:
		set["merged_into"] = in.TargetID
		if _, err := s.DB.TxExec(ctx, tx, `INSERT INTO case_reporters (case_id, reporter_id, follow_token_hash, reported_at, original_case)
			SELECT $1, reporter_id, follow_token_hash, reported_at, case_id FROM case_reporters WHERE case_id = $2`, in.TargetID, c.ID); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	case Overrule:
		set["closed_at"] = now
	case Shelve, Defer:
		review := in.ReviewDate.UTC()
		c.ReviewDate = &review
		set["review_at"], set["review_noticed"] = review, false
	case Unshelve, Resume:
		c.ReviewDate = nil
		set["review_at"], set["review_noticed"] = nil, false
	}
	if c.Status == Closed && a == Rate && !out.Reopen {
		c.Stage, c.StageDue = StageNone, nil
	}
	c.LeadDepartment, c.ExtensionPending, c.ReopenCount, c.Rating = st.LeadDepartment, st.ExtensionPending, st.ReopenCount, st.Rating
	c.state = st
	c.UpdatedAt = now
	q := `UPDATE cases SET status=$2, previous_status=$3, lead_department=$4, returned_department=$5, rework_count=$6,
		reopen_count=$7, reopened=$8, supervise_count=$9, extension_pending=$10, rating=$11, rated=$12, stage=$13,
		stage_started_at=$14, stage_due=$15, handle_due=$16, updated_at=$17`
	args := []any{c.ID, string(c.Status), string(st.PreviousStatus), c.LeadDepartment, st.ReturnedDepartment, c.ReworkCount,
		c.ReopenCount, st.Reopened, c.SuperviseCount, c.ExtensionPending, string(c.Rating), st.Rated, string(c.Stage),
		c.StageStartedAt, dueValue(c.StageDue), nullTime(c.Deadline), now}
	for _, col := range []string{"confirm_result", "registered_at", "dispatched_at", "closed_at", "merged_into", "review_at", "review_noticed"} {
		if v, ok := set[col]; ok {
			args = append(args, v)
			q += fmt.Sprintf(", %s=$%d", col, len(args))
		}
	}
	if _, err := s.DB.TxExec(ctx, tx, q+` WHERE id=$1`, args...); err != nil {
		return fmt.Errorf("%s: %w", a, err)
	}
	return nil
}

// requestedDeadline reads the deadline asked for by the latest extension request.
func (s *Service) requestedDeadline(ctx context.Context, tx *sql.Tx, caseID string) (time.Time, error) {
	var data string
	err := s.DB.TxQueryRow(ctx, tx, `SELECT data FROM case_events WHERE case_id = $1 AND action = 'request_extension'
		ORDER BY seq DESC LIMIT 1`, caseID).Scan(&data)
	if err != nil {
		return time.Time{}, fmt.Errorf("extension request: %w", err)
	}
	var d struct {
		NewDeadline time.Time `json:"new_deadline"`
	}
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return time.Time{}, err
	}
	return d.NewDeadline.UTC(), nil
}

// checkEvidence refuses 反馈 on a case whose category requires photo evidence until the handling
// unit has added a photo marked after the fix (处置后) in this round of handling: since the case
// last entered handling, so a rework asks for a new one.
func (s *Service) checkEvidence(ctx context.Context, tx *sql.Tx, c Case) error {
	if c.CategoryCode == "" {
		return nil
	}
	cat, err := s.Catalogue.Category(ctx, c.CategoryClass, c.CategoryCode)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("report back: %w", err)
	}
	if !cat.RequiresPhoto {
		return nil
	}
	var after int
	if err := s.DB.TxQueryRow(ctx, tx, `SELECT count(*) FROM case_photos WHERE case_id = $1 AND stage = 'after' AND created_at >= $2`,
		c.ID, c.StageStartedAt).Scan(&after); err != nil {
		return fmt.Errorf("report back: count photos: %w", err)
	}
	if after == 0 {
		return apperr.New(apperr.Invalid, "dispatch.after_photo_required", cat.Name)
	}
	return nil
}
