package eval

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/percent"
)

// Scheme is a scoring scheme (考评办法): weighted terms (weights as the source gives them; a score
// is the weighted mean over the terms measured), count-to-score bands, grades and a minimum
// sample, as versioned data with the standard it follows (GB/T 30428.4 §1.5: "implement weights,
// bands and grades as versioned configuration with a standard_ref; do not hard-code them").
type Scheme struct {
	Code        string `json:"code"`
	Version     int    `json:"version"`
	ValidFrom   string `json:"valid_from"` // the first day (YYYY-MM-DD) of the periods it scores
	Name        string `json:"name"`
	NameEn      string `json:"name_en,omitempty"`
	StandardRef string `json:"standard_ref"`
	Note        string `json:"note,omitempty"`
	// Levels are the levels it scores; Roles, for the person level, the posts (a grid worker is
	// compared with grid workers).
	Levels []Level   `json:"levels"`
	Roles  []string  `json:"roles,omitempty"`
	Sample MinSample `json:"min_sample"`
	Terms  []Term    `json:"terms"`
	Grades []Grade   `json:"grades"`
	// Default marks the scheme used for its levels (and roles) when a request names none.
	Default bool `json:"default,omitempty"`
}

// MinSample is the least a unit must have of one count to be ranked: below it the unit is listed
// with its figures but not ranked (no unit tops a list on three cases).
type MinSample struct {
	Count string `json:"count"`
	N     int64  `json:"n"`
}

// Term is one weighted part of a score: a rate (or 100 minus it, for rates where less is better),
// a ratio of counts no rate names, or a count scored by bands.
type Term struct {
	Label     string   `json:"label,omitempty"`
	Weight    float64  `json:"weight"`
	Indicator string   `json:"indicator,omitempty"`
	Invert    bool     `json:"invert,omitempty"`
	Num       []string `json:"num,omitempty"`
	Den       string   `json:"den,omitempty"`
	Count     string   `json:"count,omitempty"`
	Bands     []Band   `json:"bands,omitempty"`
	Otherwise float64  `json:"otherwise,omitempty"`
}

// Band gives Score to a count within [Min, Max] (either end may be open); bands are tried in
// order, Otherwise applies when none matches.
type Band struct {
	Min   *int64  `json:"min,omitempty"`
	Max   *int64  `json:"max,omitempty"`
	Score float64 `json:"score"`
}

// Grade is given to a score of at least Min; grades are listed from the best down.
type Grade struct {
	Grade string  `json:"grade"`
	Min   float64 `json:"min"`
}

var schemeCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

func countIndex(code string) (Count, bool) {
	for i, c := range countCodes {
		if c == code {
			return Count(i), true
		}
	}
	return 0, false
}

func rateByCode(code string) (Rate, bool) {
	for _, r := range Rates {
		if r.Code == code {
			return r, true
		}
	}
	return Rate{}, false
}

// Validate checks a scheme as a district writes it; the error names what is wrong.
func (s Scheme) Validate() error {
	bad := func(what string) error { return apperr.New(apperr.Invalid, "eval.bad_scheme", what) }
	if !schemeCode.MatchString(s.Code) {
		return bad("code")
	}
	if _, err := time.Parse(time.DateOnly, s.ValidFrom); err != nil {
		return bad("valid_from")
	}
	if s.Name == "" || len([]rune(s.Name)) > 100 || len([]rune(s.NameEn)) > 100 {
		return bad("name")
	}
	if s.StandardRef == "" || len([]rune(s.StandardRef)) > 200 || len([]rune(s.Note)) > 2000 {
		return bad("standard_ref")
	}
	if len(s.Levels) == 0 {
		return bad("levels")
	}
	for _, l := range s.Levels {
		if !slices.Contains(Levels, l) {
			return bad("levels")
		}
	}
	for _, r := range s.Roles {
		if !slices.Contains(staffRoles, r) {
			return bad("roles")
		}
	}
	if _, ok := countIndex(s.Sample.Count); !ok || s.Sample.N < 0 {
		return bad("min_sample")
	}
	if len(s.Terms) == 0 || len(s.Terms) > 30 {
		return bad("terms")
	}
	sum := 0.0
	for _, t := range s.Terms {
		if t.Weight <= 0 || math.IsNaN(t.Weight) || math.IsInf(t.Weight, 0) {
			return bad("weight")
		}
		sum += t.Weight
		kinds := 0
		if t.Indicator != "" {
			kinds++
			if _, ok := rateByCode(t.Indicator); !ok {
				return bad("indicator " + t.Indicator)
			}
		}
		if t.Den != "" || len(t.Num) > 0 {
			kinds++
			if _, ok := countIndex(t.Den); !ok || len(t.Num) == 0 {
				return bad("ratio")
			}
			for _, n := range t.Num {
				if _, ok := countIndex(n); !ok {
					return bad("ratio " + n)
				}
			}
		}
		if t.Count != "" {
			kinds++
			if _, ok := countIndex(t.Count); !ok || len(t.Bands) == 0 || len(t.Bands) > 20 {
				return bad("count " + t.Count)
			}
			for _, b := range t.Bands {
				if b.Score < 0 || b.Score > 100 || (b.Min != nil && b.Max != nil && *b.Min > *b.Max) {
					return bad("bands")
				}
			}
		}
		if kinds != 1 || t.Otherwise < 0 || t.Otherwise > 100 || len([]rune(t.Label)) > 100 {
			return bad("term")
		}
	}
	if sum > 1e6 {
		return bad("weights")
	}
	if len(s.Grades) == 0 || len(s.Grades) > 10 {
		return bad("grades")
	}
	for i, g := range s.Grades {
		if g.Grade == "" || len([]rune(g.Grade)) > 10 || (i > 0 && g.Min >= s.Grades[i-1].Min) {
			return bad("grades")
		}
	}
	return nil
}

// Score says, for one unit's counts, its score (nil: nothing the scheme samples happened, or no
// term could be measured), its grade and
// each term's value. A term that cannot be measured (its denominator is 0) is left out and the
// others' weights count in full: a unit is not marked down for what did not happen to it.
func (s Scheme) Score(c Counts) (score *float64, grade string, parts []*float64) {
	var sum, weights float64
	parts = make([]*float64, len(s.Terms))
	if k, ok := countIndex(s.Sample.Count); ok && c[k] == 0 {
		// Nothing of what the scheme measures happened: no score (not a perfect one).
		return nil, "", parts
	}
	for i, t := range s.Terms {
		v, ok := t.value(c)
		if !ok {
			continue
		}
		parts[i] = &v
		sum += v * t.Weight
		weights += t.Weight
	}
	if weights == 0 {
		return nil, "", parts
	}
	total := math.Round(sum/weights*100) / 100
	for _, g := range s.Grades {
		if total >= g.Min {
			grade = g.Grade
			break
		}
	}
	return &total, grade, parts
}

func (t Term) value(c Counts) (float64, bool) {
	switch {
	case t.Indicator != "":
		r, _ := rateByCode(t.Indicator)
		v := r.Of(c)
		if v == nil {
			return 0, false
		}
		if t.Invert {
			return 100 - *v, true
		}
		return *v, true
	case t.Den != "":
		d, _ := countIndex(t.Den)
		if c[d] == 0 {
			return 0, false
		}
		var num int64
		for _, n := range t.Num {
			k, _ := countIndex(n)
			num += c[k]
		}
		v := percent.Of(num, c[d])
		if t.Invert {
			return 100 - v, true
		}
		return v, true
	default:
		k, _ := countIndex(t.Count)
		n := c[k]
		for _, b := range t.Bands {
			if (b.Min == nil || n >= *b.Min) && (b.Max == nil || n <= *b.Max) {
				return b.Score, true
			}
		}
		return t.Otherwise, true
	}
}

// Sampled reports whether counts reach the scheme's minimum sample.
func (s Scheme) Sampled(c Counts) bool {
	k, _ := countIndex(s.Sample.Count)
	return c[k] >= s.Sample.N
}

// Applies reports whether the scheme scores a unit of level (held in role, for a person).
func (s Scheme) Applies(level Level, role string) bool {
	if !slices.Contains(s.Levels, level) {
		return false
	}
	return level != LevelPerson || len(s.Roles) == 0 || slices.Contains(s.Roles, role)
}

func (s Scheme) String() string { return fmt.Sprintf("%s v%d", s.Code, s.Version) }
