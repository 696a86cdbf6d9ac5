package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// TestBrowserOrgEdit: the district's sys_admin edits the org tree on the org page. They rename
// 东星社区, move 后埔社区 from 东海街道 to 城东街道 (the tree beside the map shows it there at once),
// read the move in its history, and are told why 东梅社区 cannot be retired. A leader sees no
// editor at all.
func TestBrowserOrgEdit(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	const (
		dongxing = "350503001002"
		houpu    = "350503001003"
		dongmei  = "350503001001"
	)
	b := startBrowser(t, s.URL)
	a := b.tab(t, 1280, 900)
	a.login("sysadmin", apptest.DemoPassword)
	a.open("/org", "#org-edit")
	row := func(code string) string { return `#edit-tree li[data-code="` + code + `"]` }
	a.waitFor(`document.querySelector('` + row(dongxing) + `') !== null`)

	// Rename.
	a.click(row(dongxing) + ` > .edit-row button[data-action="rename"]`)
	a.do(chromedp.WaitVisible(chromedp.CSS("#edit-name")), chromedp.SetValue(chromedp.CSS("#edit-name"), "东星新村社区"),
		chromedp.SetValue(chromedp.CSS("#edit-name-en"), "Dongxing New Village"))
	a.click("#edit-save")
	a.waitFor(`(document.querySelector('` + row(dongxing) + ` .edit-name') || {}).textContent === '东星新村社区'`)
	a.waitFor(`[...document.querySelectorAll('#org-tree li[data-code="` + dongxing + `"] .tree-name')].some(b => b.textContent.includes('东星新村社区'))`)

	// Move 后埔 to 城东.
	a.click(row(houpu) + ` > .edit-row button[data-action="move"]`)
	a.do(chromedp.WaitVisible(chromedp.CSS("#edit-parent")), chromedp.SetValue(chromedp.CSS("#edit-parent"), "350503002"))
	a.click("#edit-save")
	a.waitFor(`document.querySelector('#edit-tree li[data-code="350503002"] ` + row(houpu)[len("#edit-tree "):] + `') !== null`)
	a.waitFor(`document.querySelector('#org-tree li[data-code="350503002"] li[data-code="` + houpu + `"]') !== null`)
	if msg := a.text("#edit-result"); !strings.Contains(msg, "已迁移") {
		t.Errorf("the move's message: %q", msg)
	}
	var nodes struct {
		Nodes []struct {
			Code       string `json:"code"`
			ParentCode string `json:"parent_code"`
			Name       string `json:"name"`
		} `json:"nodes"`
	}
	if st := s.Login(t, "sysadmin").Do("GET", "/api/v1/org/nodes", nil, &nodes); st != 200 {
		t.Fatalf("nodes: %d", st)
	}
	for _, n := range nodes.Nodes {
		if (n.Code == houpu && n.ParentCode != "350503002") || (n.Code == dongxing && n.Name != "东星新村社区") {
			t.Errorf("after the page's changes: %+v", n)
		}
	}

	// The history of the moved community.
	a.click(row(houpu) + ` > .edit-row button[data-action="history"]`)
	a.waitFor(`document.querySelector('#edit-history tr[data-action="move"]') !== null`)
	if h := a.text(`#edit-history tr[data-action="move"]`); !strings.Contains(h, "sysadmin") || !strings.Contains(h, "350503002") ||
		!strings.Contains(h, "迁移") {
		t.Errorf("the move in the history: %q", h)
	}
	a.shot("orgedit-history")

	// Retiring 东梅 is refused, and the page says why.
	a.click(row(dongmei) + ` > .edit-row button[data-action="retire"]`)
	a.click("#confirm-yes")
	a.waitFor(`document.querySelector('#edit-result.alert-error') !== null`)
	if msg := a.text("#edit-result"); !strings.Contains(msg, "不能撤销") || !strings.Contains(msg, "网格") {
		t.Errorf("the refusal: %q", msg)
	}
	if eval[bool](a, `document.querySelector('`+row(dongmei)+`').classList.contains('retired')`) {
		t.Error("a refused retirement greyed the community")
	}

	// A leader sees the tree and the map, and no editor.
	l := b.tab(t, 390, 844)
	l.login("donghai.leader", apptest.DemoPassword)
	l.open("/org", "#org-tree")
	if eval[bool](l, `document.getElementById('org-edit') !== null`) {
		t.Error("the leader is shown the editor")
	}
}
