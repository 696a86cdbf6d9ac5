package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestDeliveriesPageAccess: the district's sys_admin opens /deliveries (both languages) and finds
// it from home; a sys_admin of a subdistrict and the other roles neither see nor open it.
func TestDeliveriesPageAccess(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	sys := s.Login(t, "sysadmin").Token
	p := fetch(t, s, "GET", "/deliveries", sys)
	if p.status != http.StatusOK {
		t.Fatalf("GET /deliveries as sysadmin: %d", p.status)
	}
	for _, want := range []string{`id="deliveries-table"`, `id="deliveries-filter"`, "/static/js/deliveries.js",
		`aria-current="page">外发消息`, "web.deliveries.retry"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the deliveries page lacks %q", want)
		}
	}
	if en := fetch(t, s, "GET", "/deliveries?lang=en", sys); !strings.Contains(en.body, "Outside deliveries") {
		t.Error("the English page has no English heading")
	}
	if home := fetch(t, s, "GET", "/", sys); !strings.Contains(home.body, `href="/deliveries"`) {
		t.Error("sysadmin's home has no link to the deliveries page")
	}
	if status := s.Login(t, "secadmin").Do("POST", "/api/v1/users", map[string]any{"username": "donghai.sysadmin",
		"display_name": "东海系统管理员", "password": apptest.DemoPassword, "must_change_password": false,
		"roles": []map[string]string{{"role": "sys_admin", "org_code": "350503001"}}}, nil); status != http.StatusCreated {
		t.Fatalf("create donghai.sysadmin: %d", status)
	}
	for _, name := range []string{"donghai.sysadmin", "secadmin", "donghai.shift_lead", "resident1"} {
		tok := s.Login(t, name).Token
		if p := fetch(t, s, "GET", "/deliveries", tok); p.status != http.StatusForbidden {
			t.Errorf("%s GET /deliveries: %d, want 403", name, p.status)
		}
		if home := fetch(t, s, "GET", "/", tok); strings.Contains(home.body, `href="/deliveries"`) {
			t.Errorf("%s is offered the deliveries page", name)
		}
	}
}
