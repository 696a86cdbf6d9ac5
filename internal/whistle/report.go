package whistle

import (
	"context"
	"slices"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
)

// FiguresTable is the answer of GET /api/v1/whistles/figures: one row per summoned unit.
type FiguresTable struct {
	From  string    `json:"from"`
	To    string    `json:"to"`
	Level string    `json:"level"`
	Rows  []Figures `json:"rows"`
}

// maxFigureDays bounds a period of figures: the indicators' bound (ten years), since the figures
// also appear on the indicators' department rows for any period those accept.
const maxFigureDays = 3660

// Figures are the figures of the units summoned by whistles blown from the day from to the day to
// (both included, district time), over the summons the caller reaches: a subdistrict's staff
// those of whistles in their subtree, a department's staff their own unit's. Only level
// "department" is kept (the summoned units are handling units).
func (s *Service) Figures(ctx context.Context, from, to, level string) (FiguresTable, error) {
	scope, err := access.Need(ctx, access.WhistleRead)
	if err != nil {
		return FiguresTable{}, err
	}
	if level != "department" {
		return FiguresTable{}, apperr.New(apperr.Invalid, "whistle.bad_level", level)
	}
	start, err1 := time.ParseInLocation(time.DateOnly, from, Zone)
	end, err2 := time.ParseInLocation(time.DateOnly, to, Zone)
	if err1 != nil || err2 != nil || end.Before(start) || end.Sub(start) > maxFigureDays*24*time.Hour {
		return FiguresTable{}, apperr.New(apperr.Invalid, "whistle.bad_period", maxFigureDays)
	}
	rows, err := s.facts(ctx, scope, start.UTC(), end.AddDate(0, 0, 1).UTC())
	if err != nil {
		return FiguresTable{}, err
	}
	var facts []Fact
	for _, f := range rows {
		// A whistle reached through one summoned unit shows that unit's row only, not the
		// other units'.
		if scope.Covers(f.path) || slices.Contains(scope.Departments, f.Code) {
			facts = append(facts, f.Fact)
		}
	}
	return FiguresTable{From: from, To: to, Level: level, Rows: Compute(facts, s.Now())}, nil
}
