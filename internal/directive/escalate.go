package directive

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// Escalation levels of a missing acknowledgement (participation.md §4: a directive reaches
// every grid, and silence climbs the tree): 1 — the community's staff are told once the
// deadline passes; 2 — the subdistrict's leaders, EscalationHours working hours later.
const (
	LevelCommunity   = 1
	LevelSubdistrict = 2
)

// escalation is one claimed target.
type escalation struct{ grid, path string }

// Escalate runs one pass of the escalation job at now: for every active directive past its
// acknowledgement deadline, the grids still unacknowledged are claimed level by level
// (escalated_level, so nothing is sent twice, on any node) and one event is recorded per
// community (level 1) or subdistrict (level 2), listing the missing grids. A directive past its
// expiry is no longer chased, and one with nothing left to escalate opens no transaction. It
// returns the number of events recorded.
func (s *Service) Escalate(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	rows, err := s.DB.Query(ctx, `SELECT `+directiveColumns+` FROM directives d
		WHERE d.status = 'active' AND d.ack_due < $1 AND (d.expires IS NULL OR d.expires > $1)
		AND EXISTS (SELECT 1 FROM directive_targets t WHERE t.directive_id = d.id AND t.acknowledged_at IS NULL
			AND t.escalated_level < CASE WHEN d.escalate_at <= $1 THEN 2 ELSE 1 END)
		ORDER BY d.ack_due, d.id`, now)
	if err != nil {
		return 0, fmt.Errorf("escalate directives: %w", err)
	}
	var due []Directive
	for rows.Next() {
		d, err := scanDirective(rows)
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("escalate directives: %w", err)
		}
		due = append(due, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("escalate directives: %w", err)
	}
	total := 0
	for _, d := range due {
		n := 0
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			n = 0
			levels := []int{LevelCommunity}
			if !now.Before(d.EscalateAt) {
				levels = append(levels, LevelSubdistrict)
			}
			for _, level := range levels {
				k, err := s.escalate(ctx, tx, d, level, now)
				if err != nil {
					return err
				}
				n += k
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("escalate directive %s: %w", d.ID, err)
		}
		total += n
	}
	if total > 0 {
		s.Outbox.Wake()
	}
	return total, nil
}

// escalate claims d's unacknowledged targets one level below level and records an event per
// community (level 1) or subdistrict (level 2).
func (s *Service) escalate(ctx context.Context, tx *sql.Tx, d Directive, level int, now time.Time) (int, error) {
	rows, err := s.DB.TxQuery(ctx, tx, `UPDATE directive_targets SET escalated_level = $2
		WHERE directive_id = $1 AND acknowledged_at IS NULL AND escalated_level = $3
		RETURNING grid_code, path`, d.ID, level, level-1)
	if err != nil {
		return 0, err
	}
	groups := map[string][]escalation{}
	for rows.Next() {
		var e escalation
		if err := rows.Scan(&e.grid, &e.path); err != nil {
			rows.Close()
			return 0, err
		}
		unit := parentPath(e.path) // the community
		if level == LevelSubdistrict {
			unit = parentPath(unit)
		}
		groups[unit] = append(groups[unit], e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	units := make([]string, 0, len(groups))
	for u := range groups {
		units = append(units, u)
	}
	slices.Sort(units)
	for _, unit := range units {
		if err := s.Outbox.Record(ctx, tx, now, escalationEvent(d, level, unit, groups[unit])); err != nil {
			return 0, err
		}
	}
	return len(units), nil
}

// maxListed is how many missing grids a notice names before it only counts the rest.
const maxListed = 20

// escalationEvent tells a community's staff (level 1) or a subdistrict's leaders (level 2) which
// of its grids have not acknowledged d. The roles are those held at the unit or above.
func escalationEvent(d Directive, level int, unit string, missing []escalation) notify.Event {
	codes := make([]string, 0, len(missing))
	places := []string{}
	for _, e := range missing {
		codes = append(codes, e.grid)
		if p := parentPath(e.path); !slices.Contains(places, p) {
			places = append(places, p)
		}
	}
	slices.Sort(codes)
	listed := strings.Join(codes[:min(len(codes), maxListed)], "、")
	if len(codes) > maxListed {
		listed += "…"
	}
	role, template := access.CommunityStaff, "notify.directive.escalate.community"
	if level == LevelSubdistrict {
		role, template = access.Leader, "notify.directive.escalate.subdistrict"
	}
	return notify.Event{Type: EscalateEvent,
		Object: access.Object{Kind: ObjectKind.Name, ID: d.ID, Path: d.path, Places: places},
		Live: notify.Message{Kind: ObjectKind.Name, ID: d.ID, Action: "escalate", Status: strconv.Itoa(level),
			Text: strings.Join(codes[:min(len(codes), maxListed)], ",")},
		Notices: []notify.Notice{{Template: template, Params: []string{d.Title, strconv.Itoa(len(codes)), listed},
			Audience: notify.Audience{RolesAt: []access.Role{role}, Path: unit}}}}
}
