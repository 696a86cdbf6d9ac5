package eval

import (
	"encoding/json"
	"testing"
)

func TestBuiltinSchemesAreValidAndCoverEveryLevel(t *testing.T) {
	schemes, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	set := schemeSet(schemes)
	for _, l := range Levels {
		if l == LevelPerson {
			continue
		}
		if _, ok := set.defaultFor(l, "", "2026-11-01"); !ok {
			t.Errorf("no default scheme for %s", l)
		}
	}
	for _, role := range staffRoles {
		if _, ok := set.defaultFor(LevelPerson, role, "2026-11-01"); !ok {
			t.Errorf("no default scheme for the post %s", role)
		}
	}
	for _, sc := range schemes {
		if sc.StandardRef == "" {
			t.Errorf("%s has no standard_ref", sc.Code)
		}
	}
}

func TestSchemeValidateRefuses(t *testing.T) {
	schemes, _ := Builtin()
	base := schemes[0]
	for name, mutate := range map[string]func(*Scheme){
		"bad code":        func(s *Scheme) { s.Code = "Bad Code" },
		"no date":         func(s *Scheme) { s.ValidFrom = "soon" },
		"no name":         func(s *Scheme) { s.Name = "" },
		"no reference":    func(s *Scheme) { s.StandardRef = "" },
		"unknown level":   func(s *Scheme) { s.Levels = []Level{"planet"} },
		"unknown role":    func(s *Scheme) { s.Roles = []string{"king"} },
		"unknown sample":  func(s *Scheme) { s.Sample.Count = "nothing" },
		"no terms":        func(s *Scheme) { s.Terms = nil },
		"zero weight":     func(s *Scheme) { s.Terms = []Term{{Weight: 0, Indicator: "closure_rate"}} },
		"unknown rate":    func(s *Scheme) { s.Terms = []Term{{Weight: 1, Indicator: "happiness_rate"}} },
		"two kinds":       func(s *Scheme) { s.Terms = []Term{{Weight: 1, Indicator: "closure_rate", Count: "closed"}} },
		"bands missing":   func(s *Scheme) { s.Terms = []Term{{Weight: 1, Count: "closed"}} },
		"band over 100":   func(s *Scheme) { s.Terms = []Term{{Weight: 1, Count: "closed", Bands: []Band{{Score: 120}}}} },
		"grades unsorted": func(s *Scheme) { s.Grades = []Grade{{"B", 75}, {"A", 90}} },
		"no grades":       func(s *Scheme) { s.Grades = nil },
	} {
		s := base
		s.Terms = append([]Term{}, base.Terms...)
		mutate(&s)
		if err := s.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSchemeScore(t *testing.T) {
	var sc Scheme
	if err := json.Unmarshal([]byte(`{"code":"test","version":1,"valid_from":"2026-01-01","name":"t","standard_ref":"test",
		"levels":["zone"],"min_sample":{"count":"should_close","n":10},
		"terms":[{"weight":30,"indicator":"closure_rate"},{"weight":20,"indicator":"rework_rate","invert":true},
		         {"weight":50,"count":"registered","bands":[{"max":10,"score":100},{"max":20,"score":60}],"otherwise":0}],
		"grades":[{"grade":"A","min":90},{"grade":"B","min":75},{"grade":"E","min":0}]}`), &sc); err != nil {
		t.Fatal(err)
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	var c Counts
	if s, _, _ := sc.Score(c); s != nil {
		t.Errorf("nothing happened, yet a score %v", *s)
	}
	c[ShouldClose], c[Closed], c[Reworked], c[Registered] = 20, 18, 2, 15
	// closure 90 × 30 + (100 − 10) × 20 + band 60 × 50 = 2700 + 1800 + 3000 = 7500 / 100 = 75
	s, g, parts := sc.Score(c)
	if s == nil || *s != 75 || g != "B" {
		t.Errorf("score %v grade %q, want 75 B", s, g)
	}
	if parts[2] == nil || *parts[2] != 60 {
		t.Errorf("band term %v", parts[2])
	}
	if !sc.Sampled(c) {
		t.Error("20 cases ≥ 10: sampled")
	}
	c[ShouldClose], c[Closed], c[Reworked] = 5, 5, 0
	if sc.Sampled(c) {
		t.Error("5 cases < 10: not sampled")
	}
	// A term that cannot be measured is left out: with no case due for closure only the band counts.
	var d Counts
	d[Registered] = 3
	sc.Sample.Count = "registered"
	if s, g, _ := sc.Score(d); s == nil || *s != 100 || g != "A" {
		t.Errorf("band only: %v %q", s, g)
	}
}

// A period is scored with the version in force on its first day; earlier periods keep theirs.
func TestSchemeVersionInForce(t *testing.T) {
	set := schemeSet{
		{Code: "x", Version: 1, ValidFrom: "2026-01-01"},
		{Code: "x", Version: 2, ValidFrom: "2026-07-01"},
		{Code: "x", Version: 3, ValidFrom: "2026-10-01"},
		{Code: "y", Version: 1, ValidFrom: "2026-05-01"},
	}
	for day, want := range map[string]int{"2025-12-01": 1, "2026-01-01": 1, "2026-06-30": 1, "2026-07-01": 2, "2026-09-30": 2, "2026-11-01": 3} {
		if sc, ok := set.at("x", day); !ok || sc.Version != want {
			t.Errorf("x on %s: v%d, want v%d", day, sc.Version, want)
		}
	}
	if sc, ok := set.at("y", "2026-01-01"); !ok || sc.Version != 1 {
		t.Errorf("a period before the first version takes the first: %v %v", sc, ok)
	}
	if _, ok := set.at("z", "2026-01-01"); ok {
		t.Error("unknown scheme found")
	}
}
