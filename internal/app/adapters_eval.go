package app

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/eval"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/users"
	"github.com/yiwang-gov/yiwang/internal/whistle"
)

// The indicators name what they need (eval.Cases, eval.Directory); these adapters give them the
// case desk's records and the org tree's places.

type evalCases struct{ cases *cases.Service }

func (a evalCases) Histories(ctx context.Context, tx *sql.Tx, ids []string) ([]eval.History, error) {
	recs, err := a.cases.Records(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]eval.History, len(recs))
	for i, r := range recs {
		h := eval.History{ID: r.ID, Channel: r.Channel, ReportedAt: r.ReportedAt, Status: r.Status, GridCode: r.GridCode,
			CommunityCode: r.CommunityCode, SubdistrictCode: r.SubdistrictCode, ZoneCode: r.ZoneCode,
			DistrictCode: eval.DistrictOf(r.Path), LeadDepartment: r.LeadDepartment, MergedInto: r.MergedInto,
			RunningStage: r.Stage, OverdueStage: r.OverdueStage, Events: make([]eval.Event, len(r.Steps))}
		for j, st := range r.Steps {
			h.Events[j] = eval.Event{Action: st.Action, At: st.At, ActorID: st.ActorID, Actor: st.ActorName, Role: st.Role,
				OrgCode: st.OrgCode, Result: st.Result, Rating: st.Rating, Status: st.Status, Stage: st.Stage, Due: st.Due}
		}
		out[i] = h
	}
	return out, nil
}

func (a evalCases) IDs(ctx context.Context, tx *sql.Tx, after string, limit int) ([]string, error) {
	return a.cases.RecordIDs(ctx, tx, after, limit)
}

func (a evalCases) Steps(ctx context.Context, actorID string, from, to time.Time, limit int) ([]eval.Step, error) {
	acted, err := a.cases.ActedOn(ctx, actorID, from, to, limit)
	if err != nil {
		return nil, err
	}
	out := make([]eval.Step, len(acted))
	for i, s := range acted {
		out[i] = eval.Step(s)
	}
	return out, nil
}

type evalDirectory struct {
	org *org.Service
	db  *db.DB
}

func (d evalDirectory) Names(ctx context.Context) (map[string]string, error) {
	return users.People{}.Names(ctx, d.db.Prepared())
}

func (d evalDirectory) Units(ctx context.Context, level eval.Level) ([]eval.UnitInfo, error) {
	places, err := d.org.Places(ctx, string(level))
	if err != nil {
		return nil, err
	}
	out := make([]eval.UnitInfo, len(places))
	for i, p := range places {
		out[i] = eval.UnitInfo{Code: p.Code, Name: p.Name, NameEn: p.NameEN, Path: p.Path}
	}
	return out, nil
}

func (d evalDirectory) Node(ctx context.Context, code string) (eval.UnitInfo, bool, error) {
	n, err := d.org.NodeByCode(ctx, code)
	if apperr.CodeOf(err) == apperr.NotFound {
		return eval.UnitInfo{}, false, nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return eval.UnitInfo{}, false, err
	}
	return eval.UnitInfo{Code: n.Code, Name: n.Name, NameEn: n.NameEN, Path: n.Path}, true, nil
}

// evalCheckIns gives the indicators the departments' 报到 figures from the whistles the caller
// reaches; a caller who may not read whistles sees none.
type evalCheckIns struct{ whistles *whistle.Service }

func (a evalCheckIns) CheckInFigures(ctx context.Context, from, to string) (map[string]eval.CheckInFigures, error) {
	t, err := a.whistles.Figures(ctx, from, to, "department")
	if apperr.CodeOf(err) == apperr.Forbidden {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]eval.CheckInFigures, len(t.Rows))
	for _, r := range t.Rows {
		out[r.Code] = eval.CheckInFigures{WhistlesReceived: int64(r.WhistlesReceived), ShouldCheckIn: int64(r.ShouldCheckIn),
			CheckedInOnTime: int64(r.CheckedInOnTime), Late: int64(r.Late), MedianCheckInMinutes: r.MedianCheckInMinutes,
			Rating: r.Rating, Ratings: int64(r.Ratings)}
	}
	return out, nil
}
