package cases

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/notify"
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
	rows, err := s.DB.Query(ctx, `SELECT id, number, stage, stage_started_at, stage_due, path, reporter_id,
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
		claimed := false
		err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
			res, err := s.DB.TxExec(ctx, tx, `UPDATE cases SET `+col+` = stage WHERE id = $1 AND stage = $2 AND `+col+` <> stage`, c.id, c.stage)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another node claimed it
			}
			claimed = true
			return s.slaNotice(ctx, tx, now, c.id, c.number, c.path, c.reporter, c.dept, Stage(c.stage), kind)
		})
		if err != nil {
			return warned, overdue, fmt.Errorf("sla notice %s: %w", c.number, err)
		}
		if !claimed {
			continue
		}
		if kind == "overdue" {
			overdue++
		} else {
			warned++
		}
	}
	if warned+overdue > 0 {
		s.wake()
	}
	return warned, overdue, nil
}

// slaNotice tells the department (or the desk, for desk stages) about a warning or overdue
// stage, in the transaction that claimed the notice: claimed and told, or neither.
func (s *Service) slaNotice(ctx context.Context, tx *sql.Tx, now time.Time, id, number, path, reporter, dept string, stage Stage, kind string) error {
	if s.Outbox == nil {
		return nil
	}
	role := map[Stage]access.Role{StageConfirm: access.GridWorker, StageVerify: access.GridWorker, StageRegister: access.ShiftLead,
		StageClose: access.ShiftLead, StageDispatch: access.Dispatcher}[stage]
	n := notify.Notice{Template: "notify.case.sla_" + kind + "." + string(stage), Params: []string{number}}
	if (stage == StageSign || stage == StageHandle) && dept != "" {
		n.Audience.Units = []string{dept}
	} else if role != "" {
		n.Audience.RolesAt, n.Audience.Path = []access.Role{role}, path
	}
	return s.Outbox.Record(ctx, tx, now, notify.Event{Type: "case.sla_" + kind, Notices: []notify.Notice{n},
		Object: access.Object{Kind: ObjectKind.Name, ID: id, Path: path, Users: []string{reporter}, Units: []string{dept}}})
}

// SweepReviews reminds the desk of shelved (挂账) and deferred (缓办) cases whose review date has
// come, once per review date: the reminder is claimed in the database like the SLA notices, and
// shelving or deferring again with a new date arms it again.
func (s *Service) SweepReviews(ctx context.Context) (int, error) {
	now := s.Now().UTC()
	rows, err := s.DB.Query(ctx, `SELECT id, number, status, path, review_at FROM cases
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
		claimed := false
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			res, err := s.DB.TxExec(ctx, tx, `UPDATE cases SET review_noticed = true
				WHERE id = $1 AND status = $2 AND NOT review_noticed`, d.id, d.status)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another node claimed it, or the case moved on
			}
			claimed = true
			if s.Outbox == nil {
				return nil
			}
			n := notify.Notice{Template: "notify.case.review_due." + d.status,
				Params:   []string{d.number, d.at.In(shanghai).Format("2006-01-02")},
				Audience: notify.Audience{RolesAt: []access.Role{access.ShiftLead}, Path: d.path}}
			return s.Outbox.Record(ctx, tx, now, notify.Event{Type: "case.review_due", Notices: []notify.Notice{n},
				Object: access.Object{Kind: ObjectKind.Name, ID: d.id, Path: d.path}})
		})
		if err != nil {
			return reminded, fmt.Errorf("review reminder %s: %w", d.number, err)
		}
		if claimed {
			reminded++
		}
	}
	if reminded > 0 {
		s.wake()
	}
	return reminded, nil
}
