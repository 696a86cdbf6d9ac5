package whistle_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/whistle"
)

// The shipped rules file is valid and says what the issue says; Check names every problem.
func TestShippedRules(t *testing.T) {
	s := whistle.Shipped
	if s.FlagDistanceM != 500 || s.Limits[whistle.Emergency] != (whistle.Limit{Value: 30, Unit: whistle.WallMinutes}) ||
		s.Limits[whistle.Hard] != (whistle.Limit{Value: 120, Unit: whistle.WorkingMinutes}) ||
		s.Limits[whistle.Daily] != (whistle.Limit{Value: 1, Unit: whistle.WorkingDays}) {
		t.Errorf("shipped rules: %+v", s)
	}
	for _, c := range []struct {
		json   string
		fields []string
	}{
		{`{"limits":{"emergency":{"value":30,"unit":"minutes"},"hard":{"value":120,"unit":"working_minutes"},"daily":{"value":1,"unit":"working_days"}},"flag_distance_m":500}`, nil},
		{`{"limits":{"emergency":{"value":0,"unit":"minutes"},"hard":{"value":120,"unit":"hours"}},"flag_distance_m":10}`,
			[]string{"limits.daily", "limits.hard", "limits.emergency", "flag_distance_m"}},
		{`{"limits":{"emergency":{"value":30,"unit":"minutes"},"hard":{"value":120,"unit":"working_minutes"},"daily":{"value":31,"unit":"working_days"}},"flag_distance_m":5001}`,
			[]string{"limits.daily", "flag_distance_m"}},
		{`{"limits":{},"flag_distance_m":500,"extra":1}`, []string{""}},
	} {
		_, err := whistle.ParseRules([]byte(c.json))
		if c.fields == nil {
			if err != nil {
				t.Errorf("%s: %v", c.json, err)
			}
			continue
		}
		var got []string
		if e, ok := err.(*apperr.Error); ok {
			for _, d := range e.Details {
				got = append(got, d.Field)
			}
		}
		if apperr.CodeOf(err) != apperr.Invalid || (c.fields[0] != "" && strings.Join(got, ",") != strings.Join(c.fields, ",")) {
			t.Errorf("%s: %v %v, want invalid on %v", c.json, err, got, c.fields)
		}
	}
}

// The district's sys_admin changes the rules as a version effective from a chosen instant,
// audited; others may read them and not change them; a whistle takes the rules in force when it
// is blown and keeps them.
func TestRulesAreData(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testRulesAreData(t, engine) })
	}
}

func testRulesAreData(t *testing.T, engine db.Engine) {
	a, clock := newAPI(t, engine)
	srv, start := a.srv, clock.Now()
	const path = "/api/v1/whistles/rules"

	v := decode[whistle.RulesView](t, a.do("donghai.grid_worker", "GET", path, nil, 200))
	if v.CanEdit || v.Since != nil || len(v.Versions) != 0 || v.Rules.FlagDistanceM != 500 {
		t.Errorf("the grid worker's view: %+v", v)
	}
	a.do("resident1", "GET", path, nil, 403)
	change := map[string]any{"limits": map[string]any{
		"emergency": map[string]any{"value": 20, "unit": "minutes"},
		"hard":      map[string]any{"value": 60, "unit": "working_minutes"},
		"daily":     map[string]any{"value": 2, "unit": "working_days"}},
		"flag_distance_m": 300, "effective_from": start.Add(time.Hour)}
	for _, name := range []string{"donghai.grid_worker", "donghai.leader", "district.leader", "dept01.staff"} {
		a.do(name, "PUT", path, change, 403)
	}
	bad := map[string]any{"limits": map[string]any{"emergency": map[string]any{"value": 20, "unit": "minutes"}}, "flag_distance_m": 20}
	if b := a.do("sysadmin", "PUT", path, bad, 400); !strings.Contains(string(b), "flag_distance_m") || !strings.Contains(string(b), "limits.hard") {
		t.Errorf("bad rules: %s", b)
	}
	past := map[string]any{"limits": change["limits"], "flag_distance_m": 300, "effective_from": start.Add(-time.Hour)}
	a.do("sysadmin", "PUT", path, past, 400)

	// Saved ahead: pending for an hour, the shipped rules meanwhile.
	v = decode[whistle.RulesView](t, a.do("sysadmin", "PUT", path, change, 200))
	if !v.CanEdit || len(v.Versions) != 1 || v.Versions[0].State != "pending" || v.Rules.FlagDistanceM != 500 {
		t.Errorf("after the change: %+v", v)
	}
	var audits int
	if err := srv.App.DB.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'whistle.rules.put'`).Scan(&audits); err != nil || audits != 1 {
		t.Errorf("audit records of the change: %d %v", audits, err)
	}

	place := orb.Point{118.5742, 24.925}
	blow := func() whistle.Whistle {
		t.Helper()
		caseID := report(a, "donghai", place.Lat(), place.Lon())
		return decode[whistle.Whistle](t, a.do("donghai.grid_worker", "POST", "/api/v1/whistles", map[string]any{"case_id": caseID,
			"kind": "emergency", "department_codes": []string{"350503D01"}, "ask": "请到场处置"}, 201))
	}
	before := blow()
	if before.FlagDistanceM != 500 || !before.Summons[0].DueAt.Equal(start.Add(30*time.Minute)) {
		t.Errorf("blown under the shipped rules: %+v", before)
	}
	a.advance(clock, time.Hour)
	v = decode[whistle.RulesView](t, a.do("donghai.grid_worker", "GET", path, nil, 200))
	if v.Rules.FlagDistanceM != 300 || v.Rules.Limits[whistle.Emergency].Value != 20 || v.Since == nil || len(v.Versions) != 0 {
		t.Errorf("the rules in force after an hour: %+v", v)
	}
	after := blow()
	if after.FlagDistanceM != 300 || !after.Summons[0].DueAt.Equal(clock.Now().Add(20*time.Minute)) {
		t.Errorf("blown under the district's rules: %+v", after)
	}
	// 400 m away: flagged on the new whistle, not on the one blown before the change.
	at := geo.PointAtBearingAndDistance(place, 90, 400)
	pos := map[string]float64{"lat": at.Lat(), "lng": at.Lon()}
	for _, c := range []struct {
		w       whistle.Whistle
		flagged bool
	}{{before, false}, {after, true}} {
		r := decode[whistle.CheckInResult](t, a.do("dept01.staff", "POST", "/api/v1/whistles/"+c.w.ID+"/check-ins", pos, 201))
		if r.DistanceM != 400 || r.Flagged != c.flagged {
			t.Errorf("check-in 400 m away on a whistle flagging beyond %d m: %+v", c.w.FlagDistanceM, r)
		}
	}
}
