package routing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/demo"
	"github.com/yiwang-gov/yiwang/internal/org"
	"github.com/yiwang-gov/yiwang/internal/routing"
)

const (
	districtPath    = "/350503/"
	subdistrictPath = "/350503/350503001/"
	donghaiGrid     = "/350503/350503001/350503001001/350503001001001/"
	chengdongGrid   = "/350503/350503002/350503002001/350503002001001/"
)

func system() context.Context {
	return access.WithPrincipal(context.Background(), access.SystemPrincipal("test"))
}

func as(role access.Role, path string) context.Context {
	code := path[strings.LastIndex(path[:len(path)-1], "/")+1 : len(path)-1]
	return access.WithPrincipal(context.Background(), &access.Principal{UserID: "u-" + string(role), Username: string(role),
		Grants: []access.Grant{{Role: role, OrgCode: code, OrgPath: path}}})
}

type env struct {
	d          *db.DB
	clock      *apptest.Clock
	org        *org.Service
	categories *category.Service
	routing    *routing.Service
}

// setup loads the demo district's org file, the shipped catalogue and the demo rules.
func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	e := &env{d: d, clock: apptest.NewClock(time.Date(2026, 7, 1, 1, 0, 0, 0, time.UTC)), org: &org.Service{DB: d}}
	e.categories = &category.Service{DB: d, Now: e.clock.Now}
	e.routing = &routing.Service{DB: d, Now: e.clock.Now}
	f, err := org.ParseFile(bytes.NewReader(demo.DistrictJSON()))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.org.Import(system(), f, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.categories.LoadDefaults(system()); err != nil {
		t.Fatal(err)
	}
	if err := e.routing.LoadDefaults(system()); err != nil {
		t.Fatalf("load default rules: %v", err)
	}
	return e
}

func count(t *testing.T, d *db.DB, q string) int {
	t.Helper()
	var n int
	if err := d.Read.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDemoRules(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := as(access.Resident, districtPath)
		rules, err := e.routing.Rules(ctx)
		shipped, _ := routing.DefaultRules()
		if err != nil || len(rules) != len(shipped) || rules[len(rules)-1].ID != "demo-catch-all" {
			t.Fatalf("rules: %d %v", len(rules), err)
		}
		// Loading again changes nothing.
		audits := count(t, d, `SELECT count(*) FROM audit_log`)
		if err := e.routing.LoadDefaults(system()); err != nil || count(t, d, `SELECT count(*) FROM audit_log`) != audits {
			t.Errorf("second load: %v", err)
		}
		const (
			cityManagement = "350503D01"
			housing        = "350503D02"
			ecology        = "350503D04"
			water          = "350503D05"
			power          = "350503D06"
			transport      = "350503D07"
			police         = "350503D11"
			fire           = "350503D12"
			landscaping    = "350503D16"
			sanitation     = "350503D17"
			waterCompany   = "350503D18"
		)
		cases := []struct {
			name      string
			class     category.Class
			code      string
			path      string
			working   bool
			lead      string
			assisting string
		}{
			{"noise, Donghai, night", category.Event, "06028", donghaiGrid, false, police, ecology},
			{"noise, Donghai, day", category.Event, "06028", donghaiGrid, true, ecology, ""},
			{"noise, Chengdong, night", category.Event, "06028", chengdongGrid, false, ecology, ""},
			{"cooking fumes", category.Event, "06027", chengdongGrid, true, ecology, cityManagement},
			{"exposed garbage", category.Event, "06010", donghaiGrid, true, sanitation, ""},
			{"overflowing bin", category.Event, "06042", donghaiGrid, false, sanitation, ""},
			{"illegal structure", category.Event, "06001", donghaiGrid, true, cityManagement, ""},
			{"road damage", category.Event, "06013", donghaiGrid, true, housing, ""},
			{"small ads", category.Event, "07001", donghaiGrid, true, cityManagement, ""},
			{"unpermitted construction", category.Event, "08016", donghaiGrid, true, housing, cityManagement},
			{"street vendor", category.Event, "09001", donghaiGrid, true, cityManagement, ""},
			{"blocked fire lane", category.Event, "09012", donghaiGrid, true, fire, cityManagement},
			{"fallen cable", category.Event, "10002", donghaiGrid, true, power, cityManagement},
			{"snow", category.Event, "10001", donghaiGrid, true, cityManagement, ""},
			{"water supply cover (component)", category.Component, "01001", donghaiGrid, true, waterCompany, ""},
			{"water supply cover fault (event)", category.Event, "01001", donghaiGrid, true, waterCompany, ""},
			{"storm-drain grate", category.Component, "01004", donghaiGrid, true, water, ""},
			{"power pole", category.Component, "01030", donghaiGrid, true, power, ""},
			{"street lamp: catch-all", category.Component, "01037", donghaiGrid, true, cityManagement, ""},
			{"traffic light", category.Component, "02014", donghaiGrid, true, transport, ""},
			{"public toilet", category.Component, "03001", donghaiGrid, true, sanitation, ""},
			{"street tree fault", category.Event, "04002", donghaiGrid, true, landscaping, ""},
			{"historic site: catch-all", category.Component, "05009", donghaiGrid, true, cityManagement, ""},
		}
		for _, tc := range cases {
			in := routing.Input{CategoryClass: tc.class, CategoryCode: tc.code, OrgPath: tc.path, Urgency: category.Normal,
				At: e.clock.Now(), Working: tc.working}
			dec, ok, err := e.routing.Decide(ctx, in)
			if err != nil || !ok || dec.Lead != tc.lead || strings.Join(dec.Assisting, ",") != tc.assisting {
				t.Errorf("%s: %+v %v %v, want %s + [%s]", tc.name, dec, ok, err, tc.lead, tc.assisting)
			}
		}
	})
}

func TestReplace(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		admin := as(access.SysAdmin, districtPath)
		reader := as(access.Dispatcher, subdistrictPath)
		noise := routing.Input{CategoryClass: category.Event, CategoryCode: "06028", OrgPath: donghaiGrid, Urgency: category.Normal, Working: true}
		before, _ := e.routing.Rules(reader)

		// Another node with its own cache, rechecking every minute.
		other := &routing.Service{DB: d, Now: e.clock.Now, RecheckEvery: time.Minute}
		if dec, _, _ := other.Decide(reader, noise); dec.Lead != "350503D04" {
			t.Fatalf("other node before: %+v", dec)
		}

		// Refused: every bad rule named, nothing changed, nothing audited.
		audits := count(t, d, `SELECT count(*) FROM audit_log`)
		bad := []routing.Rule{
			{Name: "ok", CategoryCode: "06028", DepartmentCode: "350503D11", Active: true},
			{Name: "unknown department", DepartmentCode: "350503D99", Active: true},
			{Name: "department as area", OrgCode: "350503D01", DepartmentCode: "350503D01", Active: true},
			{Name: "unknown category", CategoryClass: category.Event, CategoryCode: "06999", DepartmentCode: "350503D01", Active: true},
			{Name: "unknown area", OrgCode: "350503099", DepartmentCode: "350503D01", Active: true},
		}
		_, err := e.routing.Replace(admin, bad)
		var pe *routing.ProblemsError
		if !errors.As(err, &pe) || apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("bad rules: %v", err)
		}
		var got []string
		for _, p := range pe.Problems {
			got = append(got, p.Field+"@"+string(rune('0'+p.Rule)))
		}
		if strings.Join(got, " ") != "department_code@2 org_code@3 category_code@4 org_code@5" {
			t.Errorf("problems: %v", got)
		}
		after, _ := e.routing.Rules(reader)
		if len(after) != len(before) || count(t, d, `SELECT count(*) FROM audit_log`) != audits {
			t.Error("a refused list changed something")
		}
		// Refused callers.
		for name, ctx := range map[string]context.Context{"dispatcher": reader, "district leader": as(access.Leader, districtPath),
			"subdistrict sys_admin": as(access.SysAdmin, subdistrictPath), "anonymous": context.Background()} {
			if _, err := e.routing.Replace(ctx, bad[:1]); apperr.CodeOf(err) != apperr.Forbidden && apperr.CodeOf(err) != apperr.Unauthenticated {
				t.Errorf("%s replaced the rules: %v", name, err)
			}
		}

		// Accepted: new rules get IDs; the change is audited; this node sees it at once.
		saved, err := e.routing.Replace(admin, []routing.Rule{
			{Name: "all noise to the police", CategoryCode: "06028", DepartmentCode: "350503D11", Priority: 1, Active: true},
			{ID: "keep-me", Name: "catch-all", DepartmentCode: "350503D01", Priority: 2, Active: true},
		})
		if err != nil || len(saved) != 2 || saved[0].ID == "" || saved[1].ID != "keep-me" || saved[0].TimeWindow != routing.AnyTime {
			t.Fatalf("replace: %+v %v", saved, err)
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'routing.replace'`); n != 2 { // the demo load + this
			t.Errorf("%d audit records", n)
		}
		if dec, _, _ := e.routing.Decide(reader, noise); dec.Lead != "350503D11" {
			t.Errorf("this node after: %+v", dec)
		}
		// The other node follows once its recheck interval has passed.
		if dec, _, _ := other.Decide(reader, noise); dec.Lead != "350503D04" {
			t.Errorf("other node within the interval: %+v (cached rules expected)", dec)
		}
		e.clock.Advance(2 * time.Minute)
		if dec, _, _ := other.Decide(reader, noise); dec.Lead != "350503D11" {
			t.Errorf("other node after the interval: %+v", dec)
		}
		// An empty list is allowed: every case is then dispatched by hand.
		if _, err := e.routing.Replace(admin, []routing.Rule{}); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := e.routing.Decide(reader, noise); ok || err != nil {
			t.Errorf("no rules: %v %v", ok, err)
		}
	})
}

func TestRuleJSON(t *testing.T) {
	var r routing.Rule
	if err := json.Unmarshal([]byte(`{"name":"x","department_code":"D01"}`), &r); err != nil || !r.Active {
		t.Errorf("active should default to true: %+v %v", r, err)
	}
	if err := json.Unmarshal([]byte(`{"name":"x","active":false}`), &r); err != nil || r.Active {
		t.Errorf("active false: %+v %v", r, err)
	}
	if err := json.Unmarshal([]byte(`{"name":"x","departement_code":"D01"}`), &r); err == nil {
		t.Error("unknown field accepted")
	}
}
