package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Record is a case as the indicators read it (package eval, through an adapter): where and when it
// was reported, where it stands, and its steps, each with the clock it stopped and that clock's
// limit. It carries no personal data beyond the staff who acted.
type Record struct {
	ID, Channel, Status             string
	ReportedAt                      time.Time
	GridCode, CommunityCode         string
	SubdistrictCode, ZoneCode, Path string
	LeadDepartment, MergedInto      string
	Stage, OverdueStage             string
	Steps                           []RecordStep
}

// RecordStep is one event of a Record.
type RecordStep struct {
	Action, Status                    string
	At                                time.Time
	ActorID, ActorName, Role, OrgCode string
	Result, Rating, Stage             string
	Due                               *time.Time
}

// Records reads the cases of ids (those that exist) with their steps, in tx.
func (s *Service) Records(ctx context.Context, tx *sql.Tx, ids []string) ([]Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	in := strings.Join(ph, ",")
	rows, err := s.DB.TxQuery(ctx, tx, `SELECT id, channel, status, reported_at, grid_code, community_code, subdistrict_code,
		zone_code, path, lead_department, merged_into, stage, overdue_stage FROM cases WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	var out []Record
	at := map[string]int{}
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.ID, &r.Channel, &r.Status, &r.ReportedAt, &r.GridCode, &r.CommunityCode, &r.SubdistrictCode,
			&r.ZoneCode, &r.Path, &r.LeadDepartment, &r.MergedInto, &r.Stage, &r.OverdueStage); err != nil {
			rows.Close()
			return nil, err
		}
		at[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.DB.TxQuery(ctx, tx, `SELECT case_id, action, status, at, actor_id, actor_name, role, org_code, data
		FROM case_events WHERE case_id IN (`+in+`) ORDER BY case_id, seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("read case events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var caseID, data string
		var st RecordStep
		if err := rows.Scan(&caseID, &st.Action, &st.Status, &st.At, &st.ActorID, &st.ActorName, &st.Role, &st.OrgCode, &data); err != nil {
			return nil, err
		}
		var d struct {
			Result string     `json:"result"`
			Rating string     `json:"rating"`
			Stage  string     `json:"stage"`
			Due    *time.Time `json:"due"`
		}
		if err := json.Unmarshal([]byte(data), &d); err != nil {
			return nil, fmt.Errorf("case %s event data: %w", caseID, err)
		}
		st.Result, st.Rating, st.Stage, st.Due = d.Result, d.Rating, d.Stage, d.Due
		if i, ok := at[caseID]; ok {
			out[i].Steps = append(out[i].Steps, st)
		}
	}
	return out, rows.Err()
}

// RecordIDs lists the ids of cases after the id after, in id order, at most limit (a rebuild
// walks every case with it).
func (s *Service) RecordIDs(ctx context.Context, tx *sql.Tx, after string, limit int) ([]string, error) {
	rows, err := s.DB.TxQuery(ctx, tx, `SELECT id FROM cases WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ActedStep is a step a member of staff took, as their evidence shows it.
type ActedStep struct {
	CaseID string    `json:"case_id"`
	Number string    `json:"number"`
	Action string    `json:"action"`
	At     time.Time `json:"at"`
	Status string    `json:"status"` // the case's status now
	Rating string    `json:"rating,omitempty"`
}

// ActedOn lists the steps actorID took in [from, to), newest first, at most limit.
func (s *Service) ActedOn(ctx context.Context, actorID string, from, to time.Time, limit int) ([]ActedStep, error) {
	rows, err := s.DB.Query(ctx, `SELECT c.id, c.number, e.action, e.at, c.status, c.rating FROM case_events e
		JOIN cases c ON c.id = e.case_id WHERE e.actor_id = $1 AND e.at >= $2 AND e.at < $3 ORDER BY e.at DESC LIMIT $4`,
		actorID, from.UTC(), to.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("read steps: %w", err)
	}
	defer rows.Close()
	out := []ActedStep{}
	for rows.Next() {
		var a ActedStep
		if err := rows.Scan(&a.CaseID, &a.Number, &a.Action, &a.At, &a.Status, &a.Rating); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
