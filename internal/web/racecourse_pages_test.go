package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	indicators "github.com/yiwang-gov/yiwang/internal/eval"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// pageConfig reads the page's #page-config JSON block.
func pageConfig(t *testing.T, body string) map[string]any {
	t.Helper()
	m := regexp.MustCompile(`<script type="application/json" id="page-config">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the page has no config block")
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(m[1]), &cfg); err != nil {
		t.Fatalf("page config %s: %v", m[1], err)
	}
	return cfg
}

// TestRacecoursePageAccess: the 赛马场 opens for those who read the person tables (leaders,
// shift leads), in both languages, with the pick offered to leaders only; the others neither see
// nor open it. The schemes page opens for everyone who reads indicators and for the district's
// sys_admin, who alone gets the upload and the menu entry.
func TestRacecoursePageAccess(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	leader := s.Login(t, "district.leader").Token
	p := fetch(t, s, "GET", "/racecourse", leader)
	if p.status != http.StatusOK {
		t.Fatalf("GET /racecourse as district.leader: %d", p.status)
	}
	for _, want := range []string{`id="period-form"`, `id="posts"`, `id="picks-table"`, `id="evidence-dialog"`, `id="pick-dialog"`,
		"/static/js/racecourse.js", `aria-current="page">赛马场`, "赛马场 · 比学赶超", `href="/schemes"`,
		// The indicators' names come with the page for its script.
		`"eval.rate.on_time_closure_rate"`, `"ranking.unranked"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the racecourse page lacks %q", want)
		}
	}
	if cfg := pageConfig(t, p.body); cfg["can_pick"] != true {
		t.Errorf("a leader's config %v: the pick is not offered", cfg)
	}
	if en := fetch(t, s, "GET", "/racecourse?lang=en", leader); !strings.Contains(en.body, "Racecourse · learn from the best") {
		t.Error("the English racecourse page has no English heading")
	}

	shift := s.Login(t, "donghai.shift_lead").Token
	p = fetch(t, s, "GET", "/racecourse", shift)
	if p.status != http.StatusOK {
		t.Fatalf("GET /racecourse as a shift lead: %d", p.status)
	}
	if cfg := pageConfig(t, p.body); cfg["can_pick"] != false {
		t.Errorf("a shift lead's config %v: only leaders pick", cfg)
	}
	for _, name := range []string{"donghai.grid_worker", "donghai.dispatcher", "dept01.staff", "sysadmin", "resident1"} {
		tok := s.Login(t, name).Token
		if p := fetch(t, s, "GET", "/racecourse", tok); p.status != http.StatusForbidden {
			t.Errorf("%s GET /racecourse: %d, want 403", name, p.status)
		}
		if home := fetch(t, s, "GET", "/", tok); strings.Contains(home.body, `href="/racecourse"`) {
			t.Errorf("%s is offered the racecourse", name)
		}
	}

	// The schemes: read by those who read indicators, configured by the district's sys_admin.
	for _, name := range []string{"district.leader", "donghai.grid_worker", "donghai.dispatcher", "dept01.staff"} {
		p := fetch(t, s, "GET", "/schemes", s.Login(t, name).Token)
		if p.status != http.StatusOK {
			t.Errorf("%s GET /schemes: %d", name, p.status)
			continue
		}
		if strings.Contains(p.body, `id="upload-form"`) || pageConfig(t, p.body)["can_configure"] != false {
			t.Errorf("%s is offered to change the schemes", name)
		}
		if strings.Contains(p.body, `href="/schemes"`) && name != "district.leader" {
			t.Errorf("%s has the schemes in the menu", name)
		}
	}
	sys := s.Login(t, "sysadmin").Token
	p = fetch(t, s, "GET", "/schemes", sys)
	if p.status != http.StatusOK {
		t.Fatalf("GET /schemes as sysadmin: %d", p.status)
	}
	for _, want := range []string{`id="upload-form"`, `id="version-dialog"`, `id="schemes-list"`, "/static/js/schemes.js",
		`aria-current="page">考评方案`, `"schemes.level.person"`, `"eval.count.should_close"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the schemes page lacks %q", want)
		}
	}
	if cfg := pageConfig(t, p.body); cfg["can_configure"] != true {
		t.Errorf("sysadmin's config %v", cfg)
	}
	if en := fetch(t, s, "GET", "/schemes?lang=en", sys); !strings.Contains(en.body, "Scoring schemes") {
		t.Error("the English schemes page has no English heading")
	}
	if p := fetch(t, s, "GET", "/schemes", s.Login(t, "resident1").Token); p.status != http.StatusForbidden {
		t.Errorf("resident GET /schemes: %d, want 403", p.status)
	}
}

// TestRacecourseTexts: every name the pages build from a code (the indicators' counts and rates,
// the levels, the posts) has a text in both languages.
func TestRacecourseTexts(t *testing.T) {
	cat := i18n.MustLoad()
	var keys []string
	for _, c := range indicators.CountCodes() {
		keys = append(keys, "eval.count."+c)
	}
	for _, c := range indicators.RateCodes() {
		keys = append(keys, "eval.rate."+c)
	}
	for _, l := range indicators.Levels {
		keys = append(keys, "schemes.level."+string(l))
	}
	for _, role := range []string{"grid_worker", "intake_operator", "shift_lead", "dispatcher", "department_staff"} {
		keys = append(keys, "role."+role)
	}
	for _, key := range keys {
		for _, lang := range []string{i18n.ZH, i18n.EN} {
			if !cat.Has(lang, key) {
				t.Errorf("key %q has no %s text", key, lang)
			}
		}
	}
}
