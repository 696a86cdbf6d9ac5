package cases

import (
	"context"
	"fmt"
	"time"
)

// SweepSLA raises, once per stage, a warning when a running stage has used 80 % of its time
// limit and an overdue notice when it is past the limit. Each notice is claimed by an UPDATE
// that only succeeds once (warned_stage / overdue_stage), so restarts and several nodes never
// send it twice.
func (s *Service) SweepSLA(ctx context.Context) (warned, overdue int, err error) {
	now := s.Now().UTC()
	// Candidates: every open case whose stage clock has a deadline within the coming week or
	// past, and that still lacks one of the two notices. The exact share is computed in Go on
	// the work calendar.
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT id, number, stage, stage_started_at, stage_due, path, reporter_id,
		lead_department, warned_stage, overdue_stage FROM cases
		WHERE stage_due IS NOT NULL AND stage_due <= $1 AND status NOT IN ('closed','voided','merged','shelved','deferred')
		AND (warned_stage <> stage OR overdue_stage <> stage) LIMIT 5000`, now.Add(7*24*time.Hour))
	if err != nil {
		return 0, 0, fmt.Errorf("sla sweep: %w", err)
	}
	type candidate struct {
		id, number, stage, path, reporter, dept, warnedStage, overdueStage string
		start, due                                                         time.Time
	}
	var list []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.number, &c.stage, &c.start, &c.due, &c.path, &c.reporter, &c.dept, &c.warnedStage, &c.overdueStage); err != nil {
			rows.Close()
			return 0, 0, err
		}
		list = append(list, c)
	}
	rows.Close()
	for _, c := range list {
		share, err := s.Clock.Share(ctx, c.start, c.due, now)
		if err != nil {
			return warned, overdue, err
		}
		kind, col := "", ""
		switch {
		case share > 1 && c.overdueStage != c.stage:
			kind, col = "overdue", "overdue_stage"
		case share >= 0.8 && c.warnedStage != c.stage:
			kind, col = "warning", "warned_stage"
		default:
			continue
		}
		res, err := s.DB.Write.ExecContext(ctx, `UPDATE cases SET `+col+` = stage WHERE id = $1 AND stage = $2 AND `+col+` <> stage`, c.id, c.stage)
		if err != nil {
			return warned, overdue, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // another node claimed it
		}
		if kind == "overdue" {
			overdue++
		} else {
			warned++
		}
		s.slaNotice(ctx, c.id, c.number, c.path, c.dept, Stage(c.stage), kind)
	}
	return warned, overdue, nil
}

// slaNotice tells the department (or the desk, for desk stages) about a warning or overdue stage.
func (s *Service) slaNotice(ctx context.Context, id, number, path, dept string, stage Stage, kind string) {
	if s.Notify == nil {
		return
	}
	text := fmt.Sprintf("案卷 %s 的%s时限已用去 80%%，请抓紧办理", number, stageName[stage])
	if kind == "overdue" {
		text = fmt.Sprintf("案卷 %s 已超过%s时限", number, stageName[stage])
	}
	role := map[Stage]string{StageConfirm: "grid_worker", StageVerify: "grid_worker", StageRegister: "shift_lead",
		StageClose: "shift_lead", StageDispatch: "dispatcher"}[stage]
	var ids []string
	if (stage == StageSign || stage == StageHandle) && dept != "" {
		ids = s.recipients(ctx, `SELECT DISTINCT user_id FROM role_grants WHERE role = 'department_staff' AND org_code = $1`, dept)
	} else if role != "" {
		ids = s.onDuty(ctx, role, path)
	}
	if len(ids) > 0 {
		s.Notify.Add(ctx, ids, id, "sla_"+kind, text)
	}
}

var stageName = map[Stage]string{StageConfirm: "核实", StageRegister: "立案", StageDispatch: "派遣", StageSign: "签收",
	StageHandle: "处置", StageVerify: "核查", StageClose: "结案"}

// SweepReviews reminds the desk of shelved (挂账) and deferred (缓办) cases whose review date has
// come, once per review date: the reminder is claimed in the database like the SLA notices, and
// shelving or deferring again with a new date arms it again.
func (s *Service) SweepReviews(ctx context.Context) (int, error) {
	now := s.Now().UTC()
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT id, number, status, path, review_at FROM cases
		WHERE review_at <= $1 AND status IN ('shelved','deferred') AND NOT review_noticed LIMIT 1000`, now)
	if err != nil {
		return 0, fmt.Errorf("review sweep: %w", err)
	}
	type due struct {
		id, number, status, path string
		at                       time.Time
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.number, &d.status, &d.path, &d.at); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	reminded := 0
	for _, d := range list {
		res, err := s.DB.Write.ExecContext(ctx, `UPDATE cases SET review_noticed = true
			WHERE id = $1 AND status = $2 AND NOT review_noticed`, d.id, d.status)
		if err != nil {
			return reminded, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // another node claimed it, or the case moved on
		}
		reminded++
		if s.Notify == nil {
			continue
		}
		day := d.at.In(shanghai).Format("2006-01-02")
		text := fmt.Sprintf("案卷 %s 挂账复查日（%s）已到，请复查", d.number, day)
		if Status(d.status) == Deferred {
			text = fmt.Sprintf("案卷 %s 缓办到期（%s），请恢复办理或另定缓办期限", d.number, day)
		}
		users := s.onDuty(ctx, "shift_lead", d.path)
		if len(users) > 0 {
			s.Notify.Add(ctx, users, d.id, "review_due", text)
		}
	}
	return reminded, nil
}

// onDuty lists the users holding role at an org node on the way to path (the case's desk and
// those above it).
func (s *Service) onDuty(ctx context.Context, role, path string) []string {
	return s.recipients(ctx, `SELECT DISTINCT user_id FROM role_grants WHERE role = $2 AND substr($1, 1, length(org_path)) = org_path`, path, role)
}

// recipients runs a query of user ids; a failed lookup only means nobody is told.
func (s *Service) recipients(ctx context.Context, q string, args ...any) []string {
	rows, err := s.DB.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var u string
		if rows.Scan(&u) == nil {
			ids = append(ids, u)
		}
	}
	return ids
}

// RunSLA sweeps every interval until ctx ends.
func (s *Service) RunSLA(ctx context.Context, every time.Duration, logf func(msg string, args ...any)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if w, o, err := s.SweepSLA(ctx); err != nil && ctx.Err() == nil {
			logf("sla sweep failed", "err", err)
		} else if w+o > 0 {
			logf("sla notices", "warnings", w, "overdue", o)
		}
		if n, err := s.SweepReviews(ctx); err != nil && ctx.Err() == nil {
			logf("review sweep failed", "err", err)
		} else if n > 0 {
			logf("review reminders", "cases", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
