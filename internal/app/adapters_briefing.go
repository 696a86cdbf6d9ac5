package app

import (
	"context"

	"github.com/yiwang-gov/yiwang/internal/cases"
	"github.com/yiwang-gov/yiwang/internal/eval"
)

// briefingDesk gives a briefing (eval.Desk) the case desk's overdue cases and its counts by
// category and place; the desk applies the caller's case.read scope.
type briefingDesk struct{ cases *cases.Service }

// deskUnit is a briefing's unit as the desk names it: the district is the caller's whole scope
// (a district briefing is read at the district node).
func deskUnit(level eval.Level, code string) (string, string) {
	if level == eval.LevelDistrict {
		return "", ""
	}
	return string(level), code
}

func (d briefingDesk) Overdue(ctx context.Context, level eval.Level, code string, limit int) ([]eval.OverdueCase, error) {
	l, c := deskUnit(level, code)
	list, err := d.cases.Overdue(ctx, l, c, limit)
	if err != nil {
		return nil, err
	}
	out := make([]eval.OverdueCase, len(list))
	for i, o := range list {
		out[i] = eval.OverdueCase{ID: o.ID, Number: o.Number, Status: o.Status, Stage: o.Stage, Category: o.Category,
			Address: o.Address, GridCode: o.GridCode, LeadDepartment: o.LeadDepartment, Due: o.Due,
			LateMinutes: int64(o.Late.Minutes())}
	}
	return out, nil
}

func (d briefingDesk) Groups(ctx context.Context, level eval.Level, code string, p eval.Period, by string, limit int) ([]eval.Group, error) {
	l, c := deskUnit(level, code)
	// The desk counts reports in [From, To); a period's To is its last whole day.
	groups, err := d.cases.Stats(ctx, cases.StatsQuery{From: p.From, To: p.To.AddDate(0, 0, 1), Level: l, Code: c, Group: by, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]eval.Group, len(groups))
	for i, g := range groups {
		out[i] = eval.Group{Key: g.Key, Name: g.Name, NameEn: g.NameEn, Count: g.Count, Open: g.Open, Closed: g.Closed,
			Lat: g.Lat, Lng: g.Lng, GridCode: g.GridCode}
	}
	return out, nil
}
