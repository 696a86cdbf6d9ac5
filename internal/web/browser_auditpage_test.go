package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserAuditPlainWords: the audit administrator reads the log in plain words — who (name,
// role, unit), what ("把案卷 … 派遣给 …"), status changes in words — with no JSON or codes in
// the table; the object filter finds a case by its number, and the export holds the same words.
func TestBrowserAuditPlainWords(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	resident := s.Login(t, "resident1")
	var c struct{ ID, Number string }
	if st := resident.Do("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": 24.925, "lng": 118.575,
		"description": "小区门口垃圾堆积三天无人清理"}, &c); st != 201 {
		t.Fatalf("report: %d", st)
	}
	for _, step := range []struct {
		who, action string
		body        map[string]any
	}{
		{"donghai.grid_worker", "confirm", map[string]any{"result": "pass"}},
		{"donghai.shift_lead", "register", nil},
		{"donghai.dispatcher", "dispatch", map[string]any{"department_code": "350503D01"}},
	} {
		if st, raw := s.Login(t, step.who).Raw("POST", "/api/v1/cases/"+c.ID+"/actions/"+step.action, step.body); st != 200 {
			t.Fatalf("%s: %d %s", step.action, st, raw)
		}
	}
	var dept struct{ Name string }
	if err := s.App.DB.QueryRow(context.Background(), `SELECT name FROM org_nodes WHERE code = '350503D01'`).Scan(&dept.Name); err != nil {
		t.Fatal(err)
	}

	b := startBrowser(t, s.URL)
	v := b.tab(t, 1280, 900)
	v.login("auditadmin", apptest.DemoPassword)
	v.open("/audit", "#audit-table")
	v.waitFor(`document.querySelectorAll('#audit-table tbody tr').length > 3`)
	table := v.text("#audit-table tbody")
	if strings.ContainsAny(table, "{}") {
		t.Errorf("the table shows JSON: %.500s", table)
	}
	// No action codes, status codes or org codes.
	for _, raw := range []*regexp.Regexp{regexp.MustCompile(`\b(case|user|auth)\.[a-z_]+`), regexp.MustCompile(`\b(dispatched|registered|confirming|reported)\b`),
		regexp.MustCompile(`35050\d{4}`)} {
		if m := raw.FindString(table); m != "" {
			t.Errorf("the table shows the code %q", m)
		}
	}
	want := "把案卷 " + c.Number + " 派遣给 "
	if !strings.Contains(table, want) {
		t.Errorf("no %q in the table: %.800s", want, table)
	}
	if !strings.Contains(table, want+dept.Name) {
		t.Errorf("the dispatch does not name %s", dept.Name)
	}
	if !strings.Contains(table, "派遣员") || !strings.Contains(table, "→") {
		t.Errorf("roles or status changes not in words: %.800s", table)
	}
	v.shot("audit-plain")

	// The object filter: the case's number finds its records only.
	v.do(chromedp.SendKeys(chromedp.CSS("#object"), c.Number))
	v.click(`#audit-filter button[type="submit"]`)
	v.waitFor(`[...document.querySelectorAll('#audit-table tbody tr')].length > 0 && [...document.querySelectorAll('#audit-table tbody tr')].every(tr => tr.textContent.includes('` + c.Number + `'))`)

	// The export follows the filter and holds the same plain words.
	if href := eval[string](v, `document.getElementById('export-csv').href`); !strings.Contains(href, "object="+c.Number) {
		t.Errorf("the export link ignores the filter: %s", href)
	}
	v.do(chromedp.Evaluate[chromedp.Void](`fetch(document.getElementById('export-csv').href).then(r => r.text()).then(t => { window.auditCSV = t; })`))
	v.waitFor(`typeof window.auditCSV === 'string'`)
	csv := eval[string](v, `window.auditCSV`)
	if !strings.Contains(csv, want) || strings.Contains(csv, "case.dispatch") || strings.Contains(csv, `{"`) {
		t.Errorf("export: %.600s", csv)
	}
}
