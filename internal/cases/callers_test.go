package cases_test

import (
	"context"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/app"
	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// A named hotline caller's cases are linked to a keyed hash of the phone: the desk looks the number
// up (in a POST body) and sees the earlier cases masked; the caller gets an SMS with the case number
// and follow link through the outbox; the clear number is stored nowhere but sealed.
func TestHotlineCallerHistoryAndSMS(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.StartWith(t, engine, func(c *app.Config) { c.PublicURL = "https://yiwang.example.gov.cn" })
			ctx := context.Background()
			desk := srv.Login(t, "donghai.intake_operator")
			report := func(phone, name string, anonymous bool) caseJSON {
				t.Helper()
				var c caseJSON
				st, raw := desk.Raw("POST", "/api/v1/cases", map[string]any{"channel": "hotline_12345", "lat": lat, "lng": lng,
					"description": "楼下餐馆油烟扰民", "address": "东海街道海滨路 18 号", "reporter_phone": phone, "reporter_name": name, "anonymous": anonymous})
				if st != 201 {
					t.Fatalf("report: %d %s", st, raw)
				}
				jsonUnmarshal(raw, &c)
				return c
			}
			first := report("13800138000", "王先生", false)
			second := report("138 0013 8000", "王先生", false)
			report("13800138000", "", true) // anonymous: not linked, no SMS
			report("13900139000", "李女士", false)

			var hist struct {
				PhoneMasked string `json:"phone_masked"`
				Cases       []struct {
					Number, Status, StatusText, Address string
				} `json:"cases"`
			}
			st, raw := desk.Raw("POST", "/api/v1/callers/lookup", map[string]string{"phone": "+86 138-0013-8000"})
			if st != 200 {
				t.Fatalf("lookup: %d %s", st, raw)
			}
			jsonUnmarshal(raw, &hist)
			if hist.PhoneMasked != "138****8000" || len(hist.Cases) != 2 || hist.Cases[0].Number != second.Number || hist.Cases[1].Number != first.Number {
				t.Fatalf("history: %s", raw)
			}
			if strings.Contains(string(raw), "13800138000") || strings.Contains(string(raw), "王先生") {
				t.Fatalf("the history shows the clear number or name: %s", raw)
			}
			if !strings.Contains(string(raw), `"status_text":"`) || strings.Contains(string(raw), `"status_text":"case.status`) {
				t.Fatalf("status not in words: %s", raw)
			}

			// Another subdistrict's desk does not see 东海's cases; a resident may not look up.
			st, raw = srv.Login(t, "chengdong.intake_operator").Raw("POST", "/api/v1/callers/lookup", map[string]string{"phone": "13800138000"})
			if st != 200 || strings.Contains(string(raw), first.Number) {
				t.Fatalf("城东's desk: %d %s", st, raw)
			}
			if st, _ := srv.Login(t, "resident1").Raw("POST", "/api/v1/callers/lookup", map[string]string{"phone": "13800138000"}); st != 403 {
				t.Fatalf("a resident looked a caller up: %d", st)
			}
			for _, body := range []any{map[string]string{"phone": "abc"}, map[string]string{"phone": "138\x0000138000"}, map[string]any{"phone": 1}, "x"} {
				if st, raw := desk.Raw("POST", "/api/v1/callers/lookup", body); st != 400 {
					t.Fatalf("bad lookup %v: %d %s", body, st, raw)
				}
			}

			// The SMS: to the sealed phone, with the case number and the follow link.
			rows, err := srv.App.DB.Query(ctx, `SELECT recipient, params FROM outbox_deliveries WHERE channel = 'sms' AND template = 'notify.case.received'`)
			if err != nil {
				t.Fatal(err)
			}
			var sms []string
			for rows.Next() {
				var recipient, params string
				if err := rows.Scan(&recipient, &params); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(recipient, "13800138000") || strings.Contains(params, "13800138000") {
					t.Errorf("the outbox holds the clear number: %s %s", recipient, params)
				}
				sms = append(sms, params)
			}
			rows.Close()
			if len(sms) != 3 {
				t.Fatalf("SMS: %d, want 3 (two named calls from one number, one from another): %v", len(sms), sms)
			}
			found := false
			for _, p := range sms {
				if strings.Contains(p, first.Number) && strings.Contains(p, "https://yiwang.example.gov.cn/follow/") {
					found = true
				}
			}
			if !found {
				t.Errorf("no SMS with case %s and a follow link: %v", first.Number, sms)
			}
			var n int
			if err := srv.App.DB.QueryRow(ctx, `SELECT count(*) FROM case_callers WHERE phone_hash LIKE '%13800138000%'`).Scan(&n); err != nil || n != 0 {
				t.Errorf("case_callers holds the clear number: %d %v", n, err)
			}
		})
	}
}
