package notify_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/configver"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
	"github.com/yiwang-gov/yiwang/internal/i18n"
	"github.com/yiwang-gov/yiwang/internal/notify"
	"github.com/yiwang-gov/yiwang/internal/pii"
	"github.com/yiwang-gov/yiwang/internal/sms"
)

// caller is someone holding role at the node code (the district 350503 or a subdistrict).
func caller(role access.Role, code string) context.Context {
	path := "/350503/"
	if code != "350503" {
		path += code + "/"
	}
	return access.WithPrincipal(context.Background(), &access.Principal{UserID: "u-" + string(role) + code, Username: string(role) + "@" + code,
		Grants: []access.Grant{{Role: role, OrgCode: code, OrgPath: path}}})
}

func countRows(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A district words a template its own way from a chosen time: notifications recorded before keep
// the old wording, those after take the new one, in each language apart; a wording that would
// break the message (other parameters, a lone %, an SMS without its signature, too long, the
// past) is refused and changes nothing; only the district's sys_admin may change it; each change
// is audited.
func TestTemplates(t *testing.T) {
	catalog := i18n.MustLoad()
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			d := dbtest.Open(t, engine)
			now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			texts := &notify.Texts{Catalog: catalog, Versions: &configver.Store{DB: d, Now: clock}}
			box := notify.NewOutbox(d, nil, catalog)
			box.Texts = texts
			admin := caller(access.SysAdmin, "350503")
			record := func(at time.Time, id string) string {
				t.Helper()
				ctx := context.Background()
				ev := notify.Event{Type: "case.close", Object: access.Object{Kind: "case", ID: id, Path: "/350503/"},
					Notices: []notify.Notice{{Template: "notify.case.close", Params: []string{"N" + id, "已修复"},
						Audience: notify.Audience{Users: []string{"resident-1"}}}}}
				if err := d.Tx(ctx, func(tx *sql.Tx) error { return box.Record(ctx, tx, at, ev) }); err != nil {
					t.Fatal(err)
				}
				var text string
				if err := d.QueryRow(ctx, `SELECT text FROM notifications WHERE case_id = $1`, id).Scan(&text); err != nil {
					t.Fatal(err)
				}
				return text
			}
			standard := catalog.T(i18n.ZH, "notify.case.close", "N1", "已修复")
			if got := record(now, "1"); got != standard {
				t.Fatalf("before any change: %q, want the catalogue's %q", got, standard)
			}

			// Now: the district's wording; in an hour: another.
			tp, err := texts.SetTemplate(admin, "notify.case.close", notify.TemplateChange{Lang: i18n.ZH, Text: "您反映的 %s 已办好（%s），请打分。"})
			if err != nil {
				t.Fatal(err)
			}
			if zh := tp.Texts[i18n.ZH]; !zh.Custom || zh.Current != "您反映的 %s 已办好（%s），请打分。" || len(zh.Versions) != 1 || zh.Versions[0].State != "current" {
				t.Errorf("after the change: %+v", zh)
			}
			if en := tp.Texts[i18n.EN]; en.Custom || en.Current != catalog.T(i18n.EN, "notify.case.close") {
				t.Errorf("English changed with Chinese: %+v", en)
			}
			later := now.Add(time.Hour)
			tp, err = texts.SetTemplate(admin, "notify.case.close", notify.TemplateChange{Lang: i18n.ZH, Text: "【办结】%s：%s", EffectiveFrom: later})
			if err != nil {
				t.Fatal(err)
			}
			if vs := tp.Texts[i18n.ZH].Versions; len(vs) != 2 || vs[1].State != "pending" || tp.Texts[i18n.ZH].Current != "您反映的 %s 已办好（%s），请打分。" {
				t.Errorf("a pending version: %+v", tp.Texts[i18n.ZH])
			}
			if got := record(now.Add(time.Minute), "2"); got != "您反映的 N2 已办好（已修复），请打分。" {
				t.Errorf("in force now: %q", got)
			}
			if got := record(later.Add(time.Minute), "3"); got != "【办结】N3：已修复" {
				t.Errorf("in force later: %q", got)
			}
			// Each notification keeps the wording of its instant when read again, in any language.
			if got := texts.Strings(context.Background(), now, i18n.ZH, "notify.case.close", []string{"N1", "x"}); got != "您反映的 N1 已办好（x），请打分。" {
				t.Errorf("read at its instant: %q", got)
			}
			if got := texts.Strings(context.Background(), later, i18n.EN, "notify.case.close", []string{"N1", "x"}); got != catalog.T(i18n.EN, "notify.case.close", "N1", "x") {
				t.Errorf("English: %q", got)
			}
			// Back to the catalogue's text.
			if _, err := texts.SetTemplate(admin, "notify.case.close", notify.TemplateChange{Lang: i18n.ZH, Text: "", EffectiveFrom: later.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if got := texts.Strings(context.Background(), later.Add(2*time.Hour), i18n.ZH, "notify.case.close", []string{"N1", "已修复"}); got != standard {
				t.Errorf("after the reset: %q", got)
			}

			// Refusals change nothing.
			versions := countRows(t, d, `SELECT count(*) FROM config_versions`)
			for _, tc := range []struct {
				name string
				ctx  context.Context
				key  string
				c    notify.TemplateChange
				code apperr.Code
			}{
				{"one parameter too few", admin, "notify.case.close", notify.TemplateChange{Lang: i18n.ZH, Text: "您反映的 %s 已办结"}, apperr.Invalid},
				{"a parameter too many", admin, "notify.case.close", notify.TemplateChange{Lang: i18n.ZH, Text: "%s %s %s"}, apperr.Invalid},
				{"another kind of parameter", admin, "sms.verification_code", notify.TemplateChange{Lang: i18n.ZH, Text: "【一网统管】验证码 %s，%s 分钟内有效"}, apperr.Invalid},
				{"a lone percent", admin, "notify.case.close", notify.TemplateChange{Lang: i18n.ZH, Text: "满意度 100% %s %s"}, apperr.Invalid},
				{"an SMS without its signature", admin, "sms.verification_code", notify.TemplateChange{Lang: i18n.ZH, Text: "验证码 %s，%d 分钟内有效"}, apperr.Invalid},
				{"too long", admin, "notify.case.close", notify.TemplateChange{Lang: i18n.ZH, Text: "%s%s" + strings.Repeat("长", notify.MaxTemplateRunes)}, apperr.Invalid},
				{"an unknown language", admin, "notify.case.close", notify.TemplateChange{Lang: "fr", Text: "%s %s"}, apperr.Invalid},
				{"the past", admin, "notify.case.close", notify.TemplateChange{Lang: i18n.ZH, Text: "%s %s", EffectiveFrom: now.Add(-time.Hour)}, apperr.Invalid},
				{"a page's text", admin, "settings.title", notify.TemplateChange{Lang: i18n.ZH, Text: "x"}, apperr.NotFound},
				{"no such template", admin, "notify.nothing", notify.TemplateChange{Lang: i18n.ZH, Text: "x"}, apperr.NotFound},
				{"a subdistrict's sys_admin", caller(access.SysAdmin, "350503001"), "notify.case.close", notify.TemplateChange{Lang: i18n.ZH, Text: "%s %s"}, apperr.Forbidden},
				{"a leader", caller(access.Leader, "350503"), "notify.case.close", notify.TemplateChange{Lang: i18n.ZH, Text: "%s %s"}, apperr.Forbidden},
			} {
				if _, err := texts.SetTemplate(tc.ctx, tc.key, tc.c); apperr.CodeOf(err) != tc.code {
					t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
				}
			}
			if n := countRows(t, d, `SELECT count(*) FROM config_versions`); n != versions {
				t.Errorf("refusals stored versions: %d → %d", versions, n)
			}
			if _, err := texts.Templates(caller(access.Leader, "350503")); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("a leader lists the templates: %v", err)
			}
			// A percent sign written %% is fine and prints as one.
			if _, err := texts.SetTemplate(admin, "notify.case.close", notify.TemplateChange{Lang: i18n.EN, Text: "100%% done: %s (%s)"}); err != nil {
				t.Fatal(err)
			}
			if got := texts.Strings(context.Background(), now, i18n.EN, "notify.case.close", []string{"N9", "ok"}); got != "100% done: N9 (ok)" {
				t.Errorf("percent: %q", got)
			}
			list, err := texts.Templates(admin)
			if err != nil {
				t.Fatal(err)
			}
			var sawSMS, sawClose bool
			for _, tp := range list {
				sawSMS = sawSMS || tp.Key == "sms.verification_code" && tp.Channel == "sms" && tp.Params == 2
				sawClose = sawClose || tp.Key == "notify.case.close" && tp.Texts[i18n.EN].Custom && len(tp.Texts[i18n.ZH].Versions) == 3
				if !strings.HasPrefix(tp.Key, "notify.") && !strings.HasPrefix(tp.Key, "sms.") {
					t.Errorf("a page's text is listed: %s", tp.Key)
				}
			}
			if !sawSMS || !sawClose {
				t.Errorf("the list lacks the SMS code (%v) or the changed template (%v)", sawSMS, sawClose)
			}
			if n := countRows(t, d, `SELECT count(*) FROM audit_log WHERE action = 'notify.template.put'`); n != 4 {
				t.Errorf("audited changes: %d, want 4", n)
			}
		})
	}
}

// gatewayServer is a district's gateway over real HTTP: it keeps what it receives and answers as
// told.
type gatewayServer struct {
	mu     sync.Mutex
	bodies []map[string]any
	paths  []string
	answer string
}

func (g *gatewayServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	g.mu.Lock()
	g.bodies = append(g.bodies, body)
	g.paths = append(g.paths, r.URL.RequestURI())
	answer := g.answer
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if answer == "" {
		answer = `{"errcode":0}`
	}
	_, _ = io.WriteString(w, answer)
}

func (g *gatewayServer) received() ([]map[string]any, []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]map[string]any(nil), g.bodies...), append([]string(nil), g.paths...)
}

// The district sets its gateways on the page: the address is sealed at rest and shown masked, the
// messages go through the gateway in force (page, else command line, else the log), worded by
// the district's templates, a test send says what the gateway answered, and bad settings change
// nothing.
func TestGateways(t *testing.T) {
	catalog := i18n.MustLoad()
	vault, err := pii.NewVault([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			d := dbtest.Open(t, engine)
			ctx := context.Background()
			now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			texts := &notify.Texts{Catalog: catalog, Versions: &configver.Store{DB: d, Now: clock}}
			logged := &sms.LogGateway{Log: slog.New(slog.DiscardHandler), Catalog: texts.Now()}
			flagSrv, pageSrv, wechatSrv := &gatewayServer{}, &gatewayServer{}, &gatewayServer{}
			serve := func(g *gatewayServer) string {
				srv := httptest.NewServer(g)
				t.Cleanup(srv.Close)
				return srv.URL
			}
			flagURL := serve(flagSrv) + "/sms?token=flag-secret"
			pageURL := serve(pageSrv) + "/send?access_token=page-secret"
			wechatURL := serve(wechatSrv) + "/cgi-bin/message/template/send?access_token=wx-secret"
			g := &notify.Gateways{Versions: texts.Versions, Vault: vault, Texts: texts, Fallback: logged}
			admin := caller(access.SysAdmin, "350503")
			phone := "13912345678"

			// Nothing set: text messages go to the log; WeChat is refused.
			if err := g.SMS().Send(ctx, sms.Message{Phone: phone, Template: "gateway_test"}); err != nil {
				t.Fatal(err)
			}
			if _, ok := logged.Last(phone); !ok {
				t.Error("without a gateway the message is not in the log")
			}
			if res, err := g.Test(admin, "wechat", "o6_bmjrPTlm6"); err != nil || res.Sent || res.Source != "none" {
				t.Errorf("WeChat without a gateway: %+v %v", res, err)
			}

			// The command line's gateway.
			g.Flags = map[string]notify.GatewaySettings{"sms": {URL: flagURL}}
			if res, err := g.Test(admin, "sms", phone); err != nil || !res.Sent || res.Source != "command_line" {
				t.Fatalf("test through the command line's gateway: %+v %v", res, err)
			}
			if bodies, _ := flagSrv.received(); len(bodies) != 1 || bodies[0]["phone"] != phone || bodies[0]["text"] != catalog.T(i18n.ZH, "sms.gateway_test") {
				t.Errorf("the command line's gateway got %v", bodies)
			}

			// The page's gateway, with the district's wording of the message.
			if _, err := texts.SetTemplate(admin, "sms.gateway_test", notify.TemplateChange{Lang: i18n.ZH, Text: "【某某区城运中心】短信测试"}); err != nil {
				t.Fatal(err)
			}
			v, err := g.Set(admin, "sms", notify.GatewayChange{GatewaySettings: notify.GatewaySettings{URL: pageURL}})
			if err != nil {
				t.Fatal(err)
			}
			if v.Source != "page" || strings.Contains(v.URL, "secret") || !strings.HasSuffix(v.URL, "/…") || len(v.Versions) != 1 {
				t.Errorf("the view: %+v", v)
			}
			if res, err := g.Test(admin, "sms", phone); err != nil || !res.Sent || res.Source != "page" {
				t.Fatalf("test through the page's gateway: %+v %v", res, err)
			}
			bodies, paths := pageSrv.received()
			if len(bodies) != 1 || bodies[0]["text"] != "【某某区城运中心】短信测试" || paths[0] != "/send?access_token=page-secret" {
				t.Errorf("the page's gateway got %v at %v", bodies, paths)
			}
			if b, _ := flagSrv.received(); len(b) != 1 {
				t.Errorf("the command line's gateway still used: %d", len(b))
			}
			// Sealed at rest, masked in the audit record.
			if n := countRows(t, d, `SELECT count(*) FROM config_versions WHERE data LIKE '%secret%' OR data LIKE '%127.0.0.1%'`); n != 0 {
				t.Errorf("%d stored versions show the address", n)
			}
			if n := countRows(t, d, `SELECT count(*) FROM audit_log WHERE after_summary LIKE '%secret%' OR before_summary LIKE '%secret%'`); n != 0 {
				t.Errorf("%d audit records show the token", n)
			}
			if n := countRows(t, d, `SELECT count(*) FROM audit_log WHERE action IN ('notify.gateway.put', 'notify.gateway.test')`); n != 4 {
				t.Errorf("audited gateway changes and tests: %d, want 4", n)
			}

			// WeChat from an hour on: before then refused, then sent with the template ID per text.
			later := now.Add(time.Hour)
			if _, err := g.Set(admin, "wechat", notify.GatewayChange{EffectiveFrom: later, GatewaySettings: notify.GatewaySettings{
				URL: wechatURL, DefaultTemplate: "TPL-default", Templates: map[string]string{"notify.gateway_test": "TPL_test-1"}}}); err != nil {
				t.Fatal(err)
			}
			if res, err := g.Test(admin, "wechat", "o6_bmjrPTlm6"); err != nil || res.Sent {
				t.Errorf("WeChat before its time: %+v %v", res, err)
			}
			now = later
			if res, err := g.Test(admin, "wechat", "o6_bmjrPTlm6"); err != nil || !res.Sent {
				t.Fatalf("WeChat in force: %+v %v", res, err)
			}
			if bodies, _ := wechatSrv.received(); len(bodies) != 1 || bodies[0]["template_id"] != "TPL_test-1" || bodies[0]["touser"] != "o6_bmjrPTlm6" {
				t.Errorf("the WeChat gateway got %v", bodies)
			}
			wechatSrv.answer = `{"errcode":40001,"errmsg":"invalid credential"}`
			if res, err := g.Test(admin, "wechat", "o6_bmjrPTlm6"); err != nil || res.Sent || !strings.Contains(res.Error, "40001") {
				t.Errorf("a refused test: %+v %v", res, err)
			}

			// Bad settings and callers change nothing.
			versions := countRows(t, d, `SELECT count(*) FROM config_versions`)
			for _, tc := range []struct {
				name    string
				ctx     context.Context
				channel string
				c       notify.GatewaySettings
				code    apperr.Code
			}{
				{"not a web address", admin, "sms", notify.GatewaySettings{URL: "ftp://gw.example/"}, apperr.Invalid},
				{"no host", admin, "sms", notify.GatewaySettings{URL: "https:///path"}, apperr.Invalid},
				{"a script", admin, "sms", notify.GatewaySettings{URL: "javascript:alert(1)"}, apperr.Invalid},
				{"template IDs on SMS", admin, "sms", notify.GatewaySettings{URL: "https://gw.example/", DefaultTemplate: "x"}, apperr.Invalid},
				{"a bad template ID", admin, "wechat", notify.GatewaySettings{URL: "https://gw.example/", DefaultTemplate: "a b"}, apperr.Invalid},
				{"an unknown template", admin, "wechat", notify.GatewaySettings{URL: "https://gw.example/", Templates: map[string]string{"web.title": "X1"}}, apperr.Invalid},
				{"an unknown channel", admin, "email", notify.GatewaySettings{URL: "https://gw.example/"}, apperr.NotFound},
				{"a subdistrict's sys_admin", caller(access.SysAdmin, "350503001"), "sms", notify.GatewaySettings{URL: "https://gw.example/"}, apperr.Forbidden},
				{"a sec_admin", caller(access.SecAdmin, "350503"), "sms", notify.GatewaySettings{URL: "https://gw.example/"}, apperr.Forbidden},
			} {
				if _, err := g.Set(tc.ctx, tc.channel, notify.GatewayChange{GatewaySettings: tc.c}); apperr.CodeOf(err) != tc.code {
					t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
				}
			}
			if n := countRows(t, d, `SELECT count(*) FROM config_versions`); n != versions {
				t.Errorf("refusals stored versions: %d → %d", versions, n)
			}
			for _, to := range []string{"12345", "1391234567x", ""} {
				if _, err := g.Test(admin, "sms", to); apperr.CodeOf(err) != apperr.Invalid {
					t.Errorf("test to %q: %v", to, err)
				}
			}
			if _, err := g.View(caller(access.Leader, "350503")); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("a leader sees the gateways: %v", err)
			}

			// An empty address hands SMS back to the command line's gateway.
			if v, err := g.Set(admin, "sms", notify.GatewayChange{}); err != nil || v.Source != "command_line" || len(v.Versions) != 2 {
				t.Errorf("back to the command line: %+v %v", v, err)
			}
		})
	}
}
