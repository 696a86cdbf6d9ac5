package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// TestBrowserMessageSettings: the district's sys_admin rewords the "case closed" notification on
// 通知模板 (the preview shows the parameters as {1}, {2}), is told in plain words when a wording
// drops a parameter, and saves one that keeps them: the platform words the message that way from
// then on. On 网关设置 they set the SMS gateway's address (shown back masked, its token never on
// the page) and send a test message, which reaches the gateway.
func TestBrowserMessageSettings(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	var mu sync.Mutex
	var got []map[string]string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		mu.Lock()
		got = append(got, body)
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(gw.Close)

	b := startBrowser(t, s.URL)
	v := b.tab(t, 1366, 900)
	v.login("sysadmin", apptest.DemoPassword)
	v.open("/settings/templates", "#tpl-list")
	v.waitFor(`document.getElementById('settings-body').dataset.ready === 'true'`)
	settingsValue(v, "#tpl-q", "notify.case.close")
	v.waitFor(`document.querySelector('#tpl-list button[data-key="notify.case.close"]') !== null`)
	v.click(`#tpl-list button[data-key="notify.case.close"]`)
	v.waitFor(`!document.getElementById('tpl-editor').hidden`)
	if p := v.text("#tpl-params"); !strings.Contains(p, "2") {
		t.Errorf("the parameters hint: %q", p)
	}
	// A wording without the second parameter is refused, in plain words.
	settingsValue(v, "#tpl-text", "您反映的问题 %s 已办结，请评价。")
	v.click("#tpl-save")
	v.waitFor(`!document.getElementById('settings-message').hidden && document.getElementById('settings-message').textContent.includes('参数')`)
	settingsValue(v, "#tpl-text", "您反映的问题 %s 已经办好：%s。请为办理结果打分。")
	if p := v.text("#tpl-preview"); p != "您反映的问题 {1} 已经办好：{2}。请为办理结果打分。" {
		t.Errorf("preview: %q", p)
	}
	v.click("#tpl-save")
	v.waitFor(`document.querySelector('#tpl-versions li[data-state="current"]') !== null`)
	v.waitFor(`document.querySelector('#tpl-list .badge-ok') !== null`)
	if msg := v.text("#settings-message"); !strings.Contains(msg, "立即生效") {
		t.Errorf("after saving: %q", msg)
	}
	v.shot("settings-templates")
	if text := s.App.Texts.Format(context.Background(), time.Now(), i18n.ZH, "notify.case.close", "ZH20261203001", "井盖已更换"); text != "您反映的问题 ZH20261203001 已经办好：井盖已更换。请为办理结果打分。" {
		t.Errorf("the platform words it: %q", text)
	}

	v.open("/settings/gateways", "#gw-panels")
	v.waitFor(`document.getElementById('settings-body').dataset.ready === 'true'`)
	if src := v.text("#gw-sms-source"); src != "未设置" {
		t.Errorf("SMS gateway before: %q", src)
	}
	v.do(chromedp.SendKeys(chromedp.CSS("#gw-sms-new-url"), gw.URL+"/send?token=s3cret-token"))
	v.click(`#gw-sms button[type=submit]`)
	v.waitFor(`document.getElementById('gw-sms-source') && document.getElementById('gw-sms-source').textContent === '本页设置'`)
	if shown := v.text("#gw-sms-url"); shown != strings.TrimPrefix(gw.URL, "")+"/…" {
		t.Errorf("the address shown: %q", shown)
	}
	if html := eval[string](v, `document.body.innerHTML`); strings.Contains(html, "s3cret") {
		t.Error("the gateway's token is on the page")
	}
	v.do(chromedp.SendKeys(chromedp.CSS("#gw-sms-to"), "13912345678"))
	v.click("#gw-sms-send")
	v.waitFor(`document.getElementById('gw-sms-result').dataset.sent === 'true'`)
	v.shot("settings-gateways")
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0]["phone"] != "13912345678" || !strings.HasPrefix(got[0]["text"], "【一网统管】") {
		t.Errorf("the gateway received %v", got)
	}
}
