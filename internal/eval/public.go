package eval

import (
	"context"
	"net/http"
	"time"

	"github.com/yiwang-gov/yiwang/internal/httpx"
)

// The public figures (issue 14): per subdistrict and per zone, what the transparency page
// (/public) shows without sign-in — received, closed, on time and satisfaction, from the same
// counts and rate definitions as every other table here (counts.go, rates.go). Only totals of a
// unit: nothing in them names a case or a person.

// PublicFigure is one unit's public figures over a period.
type PublicFigure struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	NameEn   string `json:"name_en,omitempty"`
	Received int64  `json:"received"` // 立案数: registered cases
	Closed   int64  `json:"closed"`   // 结案数
	// OnTimeRate is on_time_closure_rate (按期结案率), SatisfactionRate satisfaction_rate (满意率);
	// null when there was nothing to measure.
	OnTimeRate       *float64 `json:"on_time_rate"`
	SatisfactionRate *float64 `json:"satisfaction_rate"`
}

// PublicFigures is the answer of GET /api/v1/public/figures.
type PublicFigures struct {
	From         string         `json:"from"`
	To           string         `json:"to"`
	Subdistricts []PublicFigure `json:"subdistricts"`
	Zones        []PublicFigure `json:"zones"`
}

// Public computes the public figures of every subdistrict and zone of the district over p.
func (s *Service) Public(ctx context.Context, p Period) (PublicFigures, error) {
	from, to := p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)
	out := PublicFigures{From: from, To: to}
	for _, level := range []Level{LevelSubdistrict, LevelZone} {
		units, err := s.Directory.Units(ctx, level)
		if err != nil {
			return out, err
		}
		sums, err := s.sums(ctx, s.DB.Prepared(), level, from, to)
		if err != nil {
			return out, err
		}
		rows := make([]PublicFigure, 0, len(units))
		for _, u := range units {
			c := sums[u.Code]
			rows = append(rows, PublicFigure{Code: u.Code, Name: u.Name, NameEn: u.NameEn, Received: c[Registered], Closed: c[Closed],
				OnTimeRate: rateOf("on_time_closure_rate", c), SatisfactionRate: rateOf("satisfaction_rate", c)})
		}
		if level == LevelSubdistrict {
			out.Subdistricts = rows
		} else {
			out.Zones = rows
		}
	}
	return out, nil
}

// rateOf is the named rate of c.
func rateOf(code string, c Counts) *float64 {
	for _, r := range Rates {
		if r.Code == code {
			return r.Of(c)
		}
	}
	return nil
}

// publicFigures answers GET /api/v1/public/figures[?from=&to=] (default: this month so far).
func (h *HTTP) publicFigures(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	if from == "" && to == "" {
		now := h.Eval.Now().In(Zone)
		from, to = now.AddDate(0, 0, 1-now.Day()).Format(time.DateOnly), now.Format(time.DateOnly)
	}
	p, err := ParsePeriod(from, to)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	out, err := h.Eval.Public(r.Context(), p)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, out)
}
