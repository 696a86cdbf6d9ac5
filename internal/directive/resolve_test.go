package directive

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apperr"
)

func testMap(t *testing.T) Map {
	t.Helper()
	m := Map{Places: map[string]map[string]Place{}, Grids: testGrids}
	for _, kind := range []string{"district", "subdistrict", "community", "zone"} {
		places, _ := testTerritory{}.Places(context.Background(), kind)
		m.Places[kind] = map[string]Place{}
		for _, p := range places {
			m.Places[kind][p.Code] = p
		}
	}
	return m
}

func TestResolve(t *testing.T) {
	m := testMap(t)
	inDonghai := func(path string) bool { return strings.HasPrefix(path, donghai) }
	everywhere := func(string) bool { return true }
	for _, tc := range []struct {
		name   string
		target Target
		reach  func(string) bool
		grids  []string // want, in order
		code   apperr.Code
		field  string // named in the error
	}{
		{"a subdistrict is its grids", Target{Subdistricts: []string{"350503001"}}, inDonghai,
			[]string{"350503001001001", "350503001001002", "350503001001003", "350503001002001", "350503001002002"}, "", ""},
		{"the district is every grid", Target{Districts: []string{"350503"}}, everywhere,
			[]string{"350503001001001", "350503001001002", "350503001001003", "350503001002001", "350503001002002", "350503002001001", "350503002001002"}, "", ""},
		{"a zone is the grids of the zone", Target{Zones: []string{"350503001Z01"}}, inDonghai,
			[]string{"350503001001001", "350503001001002"}, "", ""},
		{"a union counts each grid once", Target{Communities: []string{"350503001002"}, Zones: []string{"350503001Z01"},
			Grids: []string{"350503001002001", "350503001001001"}}, inDonghai,
			[]string{"350503001001001", "350503001001002", "350503001002001", "350503001002002"}, "", ""},
		{"nothing named", Target{}, everywhere, nil, apperr.Invalid, ""},
		{"an unknown community", Target{Communities: []string{"350503001009"}}, everywhere, nil, apperr.Invalid, "target.communities"},
		{"an unknown grid", Target{Grids: []string{"350503001001009"}}, everywhere, nil, apperr.Invalid, "target.grids"},
		{"a subdistrict out of reach", Target{Subdistricts: []string{"350503002"}}, inDonghai, nil, apperr.Forbidden, "target.subdistricts"},
		{"a grid out of reach", Target{Grids: []string{"350503002001001"}}, inDonghai, nil, apperr.Forbidden, "target"},
		{"the district from a subdistrict", Target{Districts: []string{"350503"}}, inDonghai, nil, apperr.Forbidden, "target.districts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Resolve(tc.target, m, tc.reach)
			if tc.code != "" {
				e, ok := apperr.As(err)
				if !ok || e.Code != tc.code || (tc.field != "" && (len(e.Args) == 0 || e.Args[0] != tc.field)) {
					t.Fatalf("error %v, want %s naming %q", err, tc.code, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, g := range res.Grids {
				got = append(got, g.Code)
			}
			if !slices.Equal(got, tc.grids) {
				t.Errorf("grids %v, want %v", got, tc.grids)
			}
		})
	}
}

func TestAckFlow(t *testing.T) {
	if err := ackFlow.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from   AckStatus
		action AckAction
		want   AckStatus
	}{
		{Unacknowledged, Ack, Acknowledged}, {Acknowledged, Ack, Acknowledged}, {Done, Ack, Done},
		{Unacknowledged, ReportDone, Done}, {Acknowledged, ReportDone, Done}, {Done, ReportDone, Done},
	} {
		for _, role := range ackers {
			if got, err := ackFlow.Next(tc.from, tc.action, role, nil); err != nil || got != tc.want {
				t.Errorf("%s %s by %s: %s, %v; want %s", tc.from, tc.action, role, got, err, tc.want)
			}
		}
		if _, err := ackFlow.Next(tc.from, tc.action, "leader", nil); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("a leader may %s: %v", tc.action, err)
		}
	}
}

func TestPaths(t *testing.T) {
	if got := parentPath(c1 + "350503001001001/"); got != c1 {
		t.Errorf("parent of a grid: %s", got)
	}
	if got := parentPath(c1); got != donghai {
		t.Errorf("parent of a community: %s", got)
	}
	if got := districtOf(c1); got != "350503" {
		t.Errorf("district of %s: %s", c1, got)
	}
	names := make([]string, 45)
	for i := range names {
		names[i] = "网格"
	}
	if got := areaDesc(names[:2]); got != "网格、网格" {
		t.Errorf("areaDesc: %s", got)
	}
	if got := areaDesc(names); !strings.HasSuffix(got, "…（+5）") {
		t.Errorf("areaDesc of 45: %s", got)
	}
}
