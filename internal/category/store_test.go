package category_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/category"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

var now = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

func system() context.Context {
	return access.WithPrincipal(context.Background(), access.SystemPrincipal("test"))
}

// as returns a context of a caller holding role at the org node with path.
func as(role access.Role, path string) context.Context {
	return access.WithPrincipal(context.Background(), &access.Principal{UserID: "u-" + string(role), Username: string(role),
		Grants: []access.Grant{{Role: role, OrgCode: path[strings.LastIndex(path[:len(path)-1], "/")+1 : len(path)-1], OrgPath: path}}})
}

const (
	districtPath    = "/350503/"
	subdistrictPath = "/350503/350503001/"
)

func loaded(t *testing.T, d *db.DB) *category.Service {
	t.Helper()
	s := &category.Service{DB: d, Now: func() time.Time { return now }}
	if err := s.LoadDefaults(system()); err != nil {
		t.Fatalf("load defaults: %v", err)
	}
	return s
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Read.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func codes(cats []category.Category) []string {
	var out []string
	for _, c := range cats {
		out = append(out, string(c.Class)+"/"+c.Code)
	}
	return out
}

func TestStore(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := loaded(t, d)
		ctx := as(access.Resident, districtPath)
		shipped, _ := category.ParseCSV(bytes.NewReader(category.DefaultCatalogue()))

		all, err := s.List(ctx, category.ListFilter{})
		if err != nil || len(all) != len(shipped) || len(all) < 60 {
			t.Fatalf("list: %d categories, %v", len(all), err)
		}
		if !reflect.DeepEqual(all, shipped) {
			t.Error("the stored catalogue differs from the shipped file")
		}
		// A second load changes nothing and records nothing.
		audits := count(t, d, `SELECT count(*) FROM audit_log`)
		if err := s.LoadDefaults(system()); err != nil || count(t, d, `SELECT count(*) FROM audit_log`) != audits {
			t.Errorf("second LoadDefaults: %v", err)
		}

		for _, tc := range []struct {
			name string
			f    category.ListFilter
			want string
		}{
			{"keyword", category.ListFilter{Query: "违停"}, "event/09009"},
			{"english, any case", category.ListFilter{Query: "EXPOSED garbage"}, "event/06010"},
			// "0101" is the old code of 01001 and 06001, and the start of 01011 and 01013.
			{"old code, both classes", category.ListFilter{Query: "0101"}, "component/01001 component/01011 component/01013 event/06001"},
			{"old code", category.ListFilter{Query: "0106", Class: category.Event}, "event/06017"},
			{"class and major", category.ListFilter{Class: category.Event, Major: "10"}, "event/10001 event/10002"},
			{"code prefix", category.ListFilter{Class: category.Component, Query: "0100"}, "component/01001 component/01002 component/01003 component/01004 component/01005 component/01006 component/01007"},
			{"like wildcards are literal", category.ListFilter{Query: "%"}, ""},
			{"major name", category.ListFilter{Query: "宣传广告", Class: category.Event}, "event/07001 event/07002 event/07003 event/07004 event/07006 event/07007 event/07008"},
		} {
			got, err := s.List(ctx, tc.f)
			if err != nil || strings.Join(codes(got), " ") != tc.want {
				t.Errorf("%s: %v %v, want %s", tc.name, codes(got), err, tc.want)
			}
		}

		// Find by code alone prefers the event.
		if c, err := s.Find(ctx, "01001"); err != nil || c.Class != category.Event || c.Name != "供水井盖异常" {
			t.Errorf("find 01001: %+v %v", c, err)
		}
		if c, err := s.Find(ctx, "01006"); err != nil || c.Class != category.Component {
			t.Errorf("find 01006 (component only): %+v %v", c, err)
		}
		if _, err := s.Find(ctx, "99999"); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("find unknown: %v", err)
		}
		if _, err := s.Get(ctx, category.Component, "06010"); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("get 06010 as a component: %v", err)
		}

		// Limits: the category's own, and defaults for what it lacks.
		l, err := s.Limits(ctx, category.Event, "06010", category.Normal)
		if err != nil || l[category.StageHandle] != (category.Limit{Value: 4, Unit: category.Hours}) || !l.Complete() {
			t.Errorf("06010 limits: %v %v", l, err)
		}
		if _, err := s.Limits(ctx, category.Event, "06010", "soon"); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("bad urgency: %v", err)
		}

		// A district adds its own code: created, then updated; limits fall back to the defaults.
		local := category.Category{Class: category.Event, Code: "99001", MajorName: "本区自定义", MajorNameEN: "Local",
			Name: "古厝保护", NameEN: "Old-house protection", StandardRef: category.Local, Keywords: []string{"古厝"},
			ConfirmRequired: true, DuplicateRadiusM: 50, DuplicateWindowHours: 72, Active: true}
		admin := as(access.SysAdmin, districtPath)
		if created, err := s.Put(admin, local); err != nil || !created {
			t.Fatalf("put new: %v %v", created, err)
		}
		local.Name = "古厝保护与修缮"
		if created, err := s.Put(admin, local); err != nil || created {
			t.Fatalf("put again: %v %v", created, err)
		}
		got, err := s.Get(ctx, category.Event, "99001")
		if err != nil || got.Name != "古厝保护与修缮" || got.MajorName != "本区自定义" || got.MajorCode != "99" {
			t.Errorf("stored local category: %+v %v", got, err)
		}
		defaults, err := s.Limits(ctx, category.Event, "99001", category.Urgent)
		if err != nil || defaults[category.StageHandle] != (category.Limit{Value: 2, Unit: category.Days}) {
			t.Errorf("local category's limits should be the defaults: %v %v", defaults, err)
		}
		// Only the named stage changes.
		if err := s.PutLimits(admin, category.Event, "99001", category.LimitSet{category.Urgent: {category.StageHandle: {Value: 6, Unit: category.Hours}}}); err != nil {
			t.Fatal(err)
		}
		l, _ = s.Limits(ctx, category.Event, "99001", category.Urgent)
		if l[category.StageHandle] != (category.Limit{Value: 6, Unit: category.Hours}) || l[category.StageSign] != defaults[category.StageSign] {
			t.Errorf("after PutLimits: %v", l)
		}
		// The catalogue-wide defaults can be changed too.
		if err := s.PutLimits(admin, category.DefaultClass, category.DefaultCode, category.LimitSet{category.Normal: {category.StageConfirm: {Value: 2, Unit: category.Hours}}}); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.Limits(ctx, category.Event, "99001", category.Normal); l[category.StageConfirm].Value != 2 {
			t.Errorf("default confirm limit not used: %v", l)
		}
		// Refused: unknown category, bad limits, a new major without a name.
		if err := s.PutLimits(admin, category.Event, "99002", category.LimitSet{category.Normal: {category.StageHandle: {Value: 1, Unit: category.Hours}}}); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("limits of unknown category: %v", err)
		}
		var pe *category.ProblemsError
		if err := s.PutLimits(admin, category.Event, "99001", category.LimitSet{category.Normal: {category.StageHandle: {Value: 0, Unit: category.Hours}}}); !errors.As(err, &pe) || apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("zero limit: %v", err)
		}
		if _, err := s.Put(admin, category.Category{Class: category.Event, Code: "98001", Name: "x", StandardRef: category.Local}); !errors.As(err, &pe) || pe.Problems[0].Key != "major_unknown" {
			t.Errorf("unknown major: %v", err)
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action IN ('category.put', 'category.limits')`); n != 4 {
			t.Errorf("%d audit records of changes, want 4", n)
		}
	})
}

func TestWritesAreRefusedOutsideTheRole(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := loaded(t, d)
		c := category.Category{Class: category.Event, Code: "06010", Name: "改名", StandardRef: category.Local}
		limits := category.LimitSet{category.Normal: {category.StageHandle: {Value: 1, Unit: category.Hours}}}
		file := "class,code,name,standard_ref\nevent,06010,改名,local\n"
		for _, tc := range []struct {
			name string
			ctx  context.Context
			want apperr.Code
		}{
			{"anonymous", context.Background(), apperr.Unauthenticated},
			{"resident", as(access.Resident, districtPath), apperr.Forbidden},
			{"district leader", as(access.Leader, districtPath), apperr.Forbidden},
			{"security admin", as(access.SecAdmin, districtPath), apperr.Forbidden},
			{"subdistrict sys_admin", as(access.SysAdmin, subdistrictPath), apperr.Forbidden},
		} {
			if _, err := s.Put(tc.ctx, c); apperr.CodeOf(err) != tc.want {
				t.Errorf("%s put: %v", tc.name, err)
			}
			if err := s.PutLimits(tc.ctx, category.Event, "06010", limits); apperr.CodeOf(err) != tc.want {
				t.Errorf("%s limits: %v", tc.name, err)
			}
			if _, err := s.ImportCSV(tc.ctx, strings.NewReader(file)); apperr.CodeOf(err) != tc.want {
				t.Errorf("%s import: %v", tc.name, err)
			}
			if err := s.LoadDefaults(tc.ctx); apperr.CodeOf(err) != tc.want {
				t.Errorf("%s load defaults: %v", tc.name, err)
			}
		}
		got, _ := s.Get(system(), category.Event, "06010")
		l, _ := s.Limits(system(), category.Event, "06010", category.Normal)
		if got.Name != "暴露垃圾" || l[category.StageHandle].Value != 4 {
			t.Errorf("a refused write changed something: %+v %v", got, l)
		}
		// Every signed-in role reads.
		for _, role := range []access.Role{access.Resident, access.GridWorker, access.DepartmentStaff, access.AuditAdmin} {
			if _, err := s.List(as(role, subdistrictPath), category.ListFilter{}); err != nil {
				t.Errorf("%s cannot read: %v", role, err)
			}
		}
		if _, err := s.List(context.Background(), category.ListFilter{}); apperr.CodeOf(err) != apperr.Unauthenticated {
			t.Errorf("anonymous read: %v", err)
		}
	})
}

// Export → import gives the same catalogue, even after it was changed in between.
func TestExportImportRoundTrip(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := loaded(t, d)
		admin := as(access.SysAdmin, districtPath)
		ctx := system()
		local := category.Category{Class: category.Component, Code: "05901", MajorName: "其他管理部件", Name: "本区自定义部件",
			StandardRef: category.Local, Keywords: []string{"a", "b"}, DuplicateRadiusM: 10, DuplicateWindowHours: 24}
		if _, err := s.Put(admin, local); err != nil {
			t.Fatal(err)
		}
		before, _ := s.List(ctx, category.ListFilter{})
		var exported bytes.Buffer
		if err := s.ExportCSV(ctx, &exported); err != nil {
			t.Fatal(err)
		}
		changed := before[3]
		changed.Name, changed.Active, changed.Keywords = "改过的名字", false, []string{"x"}
		if _, err := s.Put(admin, changed); err != nil {
			t.Fatal(err)
		}
		n, err := s.ImportCSV(admin, bytes.NewReader(exported.Bytes()))
		if err != nil || n != len(before) {
			t.Fatalf("import: %d %v", n, err)
		}
		after, _ := s.List(ctx, category.ListFilter{})
		if !reflect.DeepEqual(after, before) {
			t.Error("export → import did not restore the catalogue")
		}
		var again bytes.Buffer
		s.ExportCSV(ctx, &again)
		if !bytes.Equal(again.Bytes(), exported.Bytes()) {
			t.Error("a second export differs from the first")
		}
	})
}

// A file with bad lines is refused whole, each bad line named; nothing is written.
func TestBadCSVWritesNothing(t *testing.T) {
	dbtest.ForEachEngine(t, func(t *testing.T, d *db.DB) {
		s := loaded(t, d)
		admin := as(access.SysAdmin, districtPath)
		before := count(t, d, `SELECT count(*) FROM categories`)
		audits := count(t, d, `SELECT count(*) FROM audit_log`)
		file := "class,code,major_code,major_name,name,standard_ref\n" +
			"event,99001,99,本区自定义,新的好行,local\n" + // good, but must not be written
			"event,06010,06,,暴露垃圾（改）,GB/T 47678.5-2026\n" + // good update, must not be written
			"event,9901,99,本区自定义,坏代码,local\n" +
			"component,97001,97,,没有大类名称,local\n"
		_, err := s.ImportCSV(admin, strings.NewReader(file))
		var pe *category.ProblemsError
		if !errors.As(err, &pe) || apperr.CodeOf(err) != apperr.Invalid || len(pe.Problems) != 1 || pe.Problems[0].Line != 4 {
			t.Fatalf("bad file: %v", err)
		}
		// The line syntax is fine now, but major 97 is unknown: caught in the transaction, rolled back.
		file = strings.Replace(file, "event,9901,99,本区自定义,坏代码,local\n", "", 1)
		_, err = s.ImportCSV(admin, strings.NewReader(file))
		if !errors.As(err, &pe) || len(pe.Problems) != 1 || pe.Problems[0].Key != "major_unknown" || pe.Problems[0].Line != 4 {
			t.Fatalf("unknown major: %v", err)
		}
		if count(t, d, `SELECT count(*) FROM categories`) != before || count(t, d, `SELECT count(*) FROM audit_log`) != audits {
			t.Error("a refused file wrote something")
		}
		if c, _ := s.Get(system(), category.Event, "06010"); c.Name != "暴露垃圾" {
			t.Errorf("a refused file changed 06010: %q", c.Name)
		}
		// Without the bad line it imports; the existing major keeps its name.
		file = strings.Replace(file, "component,97001,97,,没有大类名称,local\n", "", 1)
		if n, err := s.ImportCSV(admin, strings.NewReader(file)); err != nil || n != 2 {
			t.Fatalf("good file: %d %v", n, err)
		}
		if c, _ := s.Get(system(), category.Event, "06010"); c.Name != "暴露垃圾（改）" || c.MajorName != "市容环境类" {
			t.Errorf("06010 after import: %+v", c)
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'category.import'`); n != 1 {
			t.Errorf("%d import audit records", n)
		}
	})
}
