package eval

import "testing"

func scored(code string, score float64, ranked bool) Row {
	s := score
	return Row{Code: code, Score: &s, Ranked: ranked, Scheme: "s v1", Rates: map[string]*float64{}}
}

// Equal scores share a rank and the next rank is skipped; a unit below the minimum sample is not
// ranked, whatever its score.
func TestRankRowsTiesAndMinimumSample(t *testing.T) {
	rows := []Row{scored("a", 80, true), scored("b", 95, true), scored("c", 80, true), scored("d", 99, false),
		scored("e", 70, true), {Code: "f", Ranked: false, Scheme: "s v1"}}
	r := rankRows(rows)
	want := map[string]int{"b": 1, "a": 2, "c": 2, "e": 4}
	if len(r) != len(want) {
		t.Fatalf("ranked %v, want %v", r, want)
	}
	for code, rank := range want {
		if r[code].rank != rank || r[code].of != 4 {
			t.Errorf("%s: rank %d of %d, want %d of 4", code, r[code].rank, r[code].of, rank)
		}
	}
	// Rows of another scheme are ranked among themselves.
	other := scored("g", 10, true)
	other.Scheme = "t v1"
	if r := rankRows(append(rows, other)); r["g"].rank != 1 || r["g"].of != 1 {
		t.Errorf("another scheme's row: %+v", r["g"])
	}
}

func TestGapsToBestAndMedian(t *testing.T) {
	rows := []Row{scored("a", 80, true), scored("b", 90, true), scored("c", 70, true), scored("d", 60, false)}
	for i, v := range []float64{5, 1, 3, 9} { // rework_rate: lower is better
		x := v
		rows[i].Rates["rework_rate"] = &x
	}
	g := gapsOf(rows)
	if s := g["c"]["score"]; *s.Best != 90 || *s.Median != 80 || *s.ToBest != 20 || *s.ToMedian != 10 {
		t.Errorf("c score gap %+v", s)
	}
	if s := g["b"]["score"]; *s.ToBest != 0 || *s.ToMedian != -10 {
		t.Errorf("b is the best: %+v", s)
	}
	if r := g["a"]["rework_rate"]; *r.Best != 1 || *r.Median != 3 || *r.ToBest != 4 || *r.ToMedian != 2 {
		t.Errorf("a rework gap %+v", r)
	}
	// d is not ranked: measured against the ranked peers, not part of them.
	if r := g["d"]["rework_rate"]; *r.Best != 1 || *r.ToBest != 8 {
		t.Errorf("d rework gap %+v", r)
	}
}
