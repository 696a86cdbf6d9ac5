package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestAPIKeysPageAccess: the district's sys_admin opens /apikeys (in both languages); a sys_admin
// held at a subdistrict neither sees the menu entry nor opens the page.
func TestAPIKeysPageAccess(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	sys := s.Login(t, "sysadmin").Token
	p := fetch(t, s, "GET", "/apikeys", sys)
	if p.status != http.StatusOK {
		t.Fatalf("GET /apikeys as sysadmin: %d", p.status)
	}
	for _, want := range []string{`id="apikey-form"`, `id="secret-panel"`, `id="apikeys-table"`, `id="revoke-dialog"`,
		"/static/js/apikeys.js", "只显示这一次", `aria-current="page">Open311 接入密钥`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the keys page lacks %q", want)
		}
	}
	if en := fetch(t, s, "GET", "/apikeys?lang=en", sys); !strings.Contains(en.body, "Open311 client keys") {
		t.Error("the English keys page has no English heading")
	}
	if home := fetch(t, s, "GET", "/", sys); !strings.Contains(home.body, `href="/apikeys"`) {
		t.Error("sysadmin's home has no link to the keys page")
	}

	// A sys_admin of 东海街道 only.
	if status := s.Login(t, "secadmin").Do("POST", "/api/v1/users", map[string]any{"username": "donghai.sysadmin",
		"display_name": "东海系统管理员", "password": apptest.DemoPassword, "must_change_password": false,
		"roles": []map[string]string{{"role": "sys_admin", "org_code": "350503001"}}}, nil); status != http.StatusCreated {
		t.Fatalf("create donghai.sysadmin: %d", status)
	}
	sub := s.Login(t, "donghai.sysadmin").Token
	if p := fetch(t, s, "GET", "/apikeys", sub); p.status != http.StatusForbidden {
		t.Errorf("subdistrict sys_admin GET /apikeys: %d, want 403", p.status)
	}
	if home := fetch(t, s, "GET", "/", sub); strings.Contains(home.body, `href="/apikeys"`) {
		t.Error("subdistrict sys_admin is offered the keys page")
	}
}
