package whistle

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/jobs"
)

// Escalation (standards-cn.md §3.3: the summoned must arrive by the required time): a summoned
// unit that has not checked in by its deadline is reported to the leaders of the subdistrict the
// place lies in, once. The deadline was set on the work calendar when the whistle was blown, so
// the job only compares it with now.

// EscalateJob is the periodic job that escalates late check-ins.
const EscalateJob = "whistle.escalate"

// maxEscalations bounds one run; the next run takes the rest.
const maxEscalations = 500

func (s *Service) jobs() []jobs.Job {
	return []jobs.Job{{Name: EscalateJob, Every: time.Minute, Run: func(ctx context.Context, now time.Time) error {
		_, err := s.Escalate(ctx, now)
		return err
	}}}
}

// overdue is one summons past its deadline without a check-in, not yet escalated.
type overdue struct {
	w  Whistle
	sm Summons
}

// Escalate reports every summons of an open whistle still waiting for its check-in past its
// deadline at now, and returns how many it reported. Each is claimed by an UPDATE that sets
// escalated_at only where it is still empty, in the transaction that records the event: a second
// run, or a second node, finds nothing left to claim and tells nobody twice.
func (s *Service) Escalate(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	rows, err := s.DB.Query(ctx, `SELECT w.id, w.case_id, w.case_number, w.path, w.status, w.blown_by,
		s.department_code, s.department_name, s.due_at
		FROM whistle_summons s JOIN whistles w ON w.id = s.whistle_id
		WHERE s.checked_in_at IS NULL AND s.escalated_at IS NULL AND s.due_at < $1 AND w.status = 'open'
		ORDER BY s.due_at LIMIT $2`, now, maxEscalations)
	if err != nil {
		return 0, fmt.Errorf("escalate whistles: %w", err)
	}
	var due []overdue
	for rows.Next() {
		var o overdue
		var status string
		if err := rows.Scan(&o.w.ID, &o.w.CaseID, &o.w.CaseNumber, &o.w.path, &status, &o.w.BlownBy,
			&o.sm.DepartmentCode, &o.sm.DepartmentName, &o.sm.DueAt); err != nil {
			rows.Close()
			return 0, fmt.Errorf("escalate whistles: %w", err)
		}
		o.w.Status, o.sm.DueAt = Status(status), o.sm.DueAt.UTC()
		o.w.Summons = []Summons{o.sm}
		due = append(due, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("escalate whistles: %w", err)
	}
	if len(due) == 0 {
		return 0, nil
	}
	n := 0
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, o := range due {
			res, err := s.DB.TxExec(ctx, tx, `UPDATE whistle_summons SET escalated_at = $1
				WHERE whistle_id = $2 AND department_code = $3 AND escalated_at IS NULL AND checked_in_at IS NULL`,
				now, o.w.ID, o.sm.DepartmentCode)
			if err != nil {
				return err
			}
			if claimed, err := res.RowsAffected(); err != nil || claimed != 1 {
				continue // another run took it, or the unit checked in meanwhile
			}
			leaders, err := s.subdistrictLeaders(ctx, tx, o.w.path)
			if err != nil {
				return err
			}
			if err := s.Outbox.Record(ctx, tx, now, lateEvent(o.w, o.sm, leaders)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("escalate whistles: %w", err)
	}
	if n > 0 {
		s.Outbox.Wake()
	}
	return n, nil
}

// subdistrictLeaders are the leaders held at the subdistrict of path: those of the district
// above are left out (they read the figures, not every late arrival).
func (s *Service) subdistrictLeaders(ctx context.Context, tx *sql.Tx, path string) ([]string, error) {
	if s.Outbox.People == nil {
		return nil, nil
	}
	leaders := []access.Role{access.Leader}
	sub := subdistrictPath(path)
	users, err := s.Outbox.People.Holding(ctx, tx, leaders, sub)
	if err != nil {
		return nil, err
	}
	above, err := s.Outbox.People.Holding(ctx, tx, leaders, districtPath(sub))
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(users, func(id string) bool { return slices.Contains(above, id) }), nil
}

// districtPath is the district's path of a subdistrict's path ("/350503/350503001/" → "/350503/").
func districtPath(path string) string {
	for i := 1; i < len(path); i++ {
		if path[i] == '/' {
			return path[:i+1]
		}
	}
	return path
}
