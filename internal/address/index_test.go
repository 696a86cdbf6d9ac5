package address

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func entries(list ...string) []Entry {
	var out []Entry
	for i, s := range list {
		address, name, _ := strings.Cut(s, "|")
		out = append(out, Entry{Address: address, Name: name, Lat: 24.9 + float64(i)*0.001, Lng: 118.57, GridCode: fmt.Sprintf("g%d", i%2)})
	}
	return out
}

func search(ix *Index, q, grid string, limit int) []string {
	var out []string
	for _, id := range ix.Search(q, grid, limit) {
		out = append(out, ix.Entry(id).Address)
	}
	return out
}

func TestSearchRanking(t *testing.T) {
	ix := NewIndex(entries(
		"丰海路28号",
		"丰海路2号",
		"东海大街10号|丰海小学", // its name starts with 丰海
		"泉秀路1号|附海路口",   // contains 海路; initials fhlk
		"刺桐路5号|东海路社区",  // contains 海路 in its name
		"湖心街3号",
		"分行路7号", // initials fhl too (分 fen, 行 xing/hang: a heteronym)
		"朝阳巷1号", // 朝 chao/zhao
	))
	for _, tc := range []struct {
		q, grid string
		want    []string
	}{
		// Text prefix first (address or name), shorter (closer to exact) before longer.
		{"丰海", "", []string{"东海大街10号", "丰海路2号", "丰海路28号"}},
		{"丰海路28号", "", []string{"丰海路28号"}},
		// Spaces, case and full-width digits do not matter.
		{" 丰海路 ２８ ", "", []string{"丰海路28号"}},
		// Pinyin initials, then substrings.
		{"fhl", "", []string{"泉秀路1号", "丰海路2号", "分行路7号", "丰海路28号"}},
		{"FHL28", "", []string{"丰海路28号"}},
		{"fenghailu2", "", []string{"丰海路2号", "丰海路28号"}},
		{"fhl28", "", []string{"丰海路28号"}},
		{"fhxx", "", []string{"东海大街10号"}},
		// Both readings of a heteronym are indexed.
		{"fxl", "", []string{"分行路7号"}},
		{"zyx", "", []string{"朝阳巷1号"}},
		{"cyx", "", []string{"朝阳巷1号"}},
		// Substring after the prefix tiers.
		{"海路", "", []string{"泉秀路1号", "刺桐路5号", "丰海路28号", "丰海路2号"}},
		{"28号", "", []string{"丰海路28号"}},
		{"心", "", []string{"湖心街3号"}},
		// A grid filter.
		{"丰海路", "g1", []string{"丰海路2号"}},
		// Nothing.
		{"", "", nil},
		{"   ", "", nil},
		{"xyzq", "", nil},
		{"丰泽", "", nil},
	} {
		got := search(ix, tc.q, tc.grid, 10)
		if tc.q == "海路" {
			// The prefix tiers are empty for 海路; within the substring tier the order is the
			// posting order (by address): only the set is asserted.
			sort.Strings(got)
			sort.Strings(tc.want)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Search(%q, %q) = %q, want %q", tc.q, tc.grid, got, tc.want)
		}
	}
	if got := search(ix, "丰海", "", 2); len(got) != 2 || got[0] != "东海大街10号" {
		t.Errorf("limit 2: %q", got)
	}
}

func TestNearest(t *testing.T) {
	ix := NewIndex([]Entry{
		{Address: "A", Lat: 24.9000, Lng: 118.5700},
		{Address: "B", Lat: 24.9010, Lng: 118.5700}, // ~111 m north of A
		{Address: "C", Lat: 24.9100, Lng: 118.5700}, // ~1.1 km
	})
	for _, tc := range []struct {
		lat, lng, radius float64
		want             string
		ok               bool
	}{
		{24.9001, 118.5700, 300, "A", true},
		{24.9007, 118.5700, 300, "B", true},
		{24.9060, 118.5700, 300, "", false},
		{24.9060, 118.5700, 700, "C", true},
		{24.9000, 118.5730, 300, "", false}, // 0.003° of longitude at 24.9° N is ~302.5 m: just beyond
		{24.9000, 118.5729, 300, "A", true}, // ~292.4 m
	} {
		id, d, ok := ix.Nearest(tc.lat, tc.lng, tc.radius)
		if ok != tc.ok || (ok && ix.Entry(id).Address != tc.want) || d > tc.radius {
			t.Errorf("Nearest(%v, %v, %v) = %v %.1f %v, want %q", tc.lat, tc.lng, tc.radius, id, d, ok, tc.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"丰海路 28号": "丰海路28号", "ＡＢＣ１２": "abc12", "Fhl\t": "fhl", "\u3000x": "x"} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// syntheticEntries makes n distinct addresses: streets × numbers, with buildings and names.
func syntheticEntries(n int) []Entry {
	r := rand.New(rand.NewPCG(1, 2))
	syllables := []rune("丰海东泉秀刺桐泽田安湖心通港云山北峰少林宝洲津淮华大清源城滨星棋盘榕树桂香新埔后坂涂江南西中和平长乐文明兴隆")
	suffixes := []string{"路", "街", "巷", "大道"}
	var streets []string
	for len(streets) < 2000 {
		s := string([]rune{syllables[r.IntN(len(syllables))], syllables[r.IntN(len(syllables))]}) + suffixes[r.IntN(len(suffixes))]
		streets = append(streets, s)
	}
	out := make([]Entry, 0, n)
	seen := map[string]bool{}
	for i := 0; len(out) < n; i++ {
		street := streets[i%len(streets)]
		a := fmt.Sprintf("%s%d号", street, i/len(streets)+1)
		name := ""
		if i%7 == 0 {
			a += fmt.Sprintf("%d号楼", i%13+1)
			name = street[:len(street)-3] + "花园"
		}
		if seen[a] {
			continue
		}
		seen[a] = true
		out = append(out, Entry{Address: a, Name: name, Lat: 24.85 + r.Float64()*0.1, Lng: 118.55 + r.Float64()*0.1,
			GridCode: fmt.Sprintf("350503001001%03d", i%180)})
	}
	return out
}

// BenchmarkSearch500k searches 500 000 addresses with what operators type: Chinese prefixes,
// pinyin initials, full pinyin and substrings. It reports the mean and the 95th percentile of one
// search. Run: go test ./internal/address -run '^$' -bench Search500k -benchtime 2000x
func BenchmarkSearch500k(b *testing.B) {
	entries := syntheticEntries(500000)
	start := time.Now()
	ix := NewIndex(entries)
	b.Logf("index of %d addresses built in %v", ix.Len(), time.Since(start))
	queries := []string{"丰海", "丰海路1", "fhl", "fh", "f", "fenghai", "海路", "28号", "花园", "桐路12", "zq", "丰", "路",
		"qxl3", "dongha", "xyz", "榕树巷7号"}
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		t0 := time.Now()
		ix.Search(q, "", 10)
		durations = append(durations, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(durations)
	var sum time.Duration
	for _, d := range durations {
		sum += d
	}
	p95 := durations[len(durations)*95/100]
	b.ReportMetric(float64(sum.Microseconds())/float64(len(durations)), "mean-µs/search")
	b.ReportMetric(float64(p95.Microseconds()), "p95-µs/search")
	b.ReportMetric(float64(durations[len(durations)-1].Microseconds()), "max-µs/search")
}
