package open311_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// contactForms are contact details as residents write them into a report; none may reach the
// public list (redact.Public has the full table).
var contactForms = []string{
	"１３９１２３４５６７８", "139.1234.5678", "139_1234_5678", "+86(139)1234-5678", "0086 139 1234 5678",
	"电话一三九一二三四五六七八", "(0595)2288 1234", "0595.2288.1234", "０５９５－２２８８１２３４",
	"350503 19900101 123X", "３５０５０３１９９００１０１１２３Ｘ", "ｚｈａｎｇ＠１６３．ｃｏｍ", "微信号 zhang_san88",
	"QQ号：987654321",
}

// secrets are what must not show in any form: the digits and names behind contactForms.
var secrets = []string{"13912345678", "1391234", "一三九一二三四", "22881234", "2288 1234", "2288.1234",
	"２２８８１２３４", "19900101", "１９９００１０１", "ｚｈａｎｇ", "zhang", "987654321"}

func TestPublicListHidesContactDetails(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newEnv(t, engine)
			description := "井盖缺失，联系" + strings.Join(contactForms, "，或")
			a := e.post("json", form("api_key", e.key, "service_code", "C01001", "lat", "24.9251", "long", "118.5752",
				"attribute[cover_state][]", "missing", "attribute[details]", "夜里看不清，请打 139_1234_5678 或 QQ号：987654321",
				"description", description, "first_name", "张", "last_name", "三", "email", "zhang@163.com"))
			var receipt []struct {
				ID string `json:"service_request_id"`
			}
			if a.status != 200 || json.Unmarshal(a.body, &receipt) != nil || receipt[0].ID == "" {
				t.Fatalf("post: %d %s", a.status, a.body)
			}
			id := e.caseID(receipt[0].ID)
			e.act("donghai.shift_lead", id, "register", nil)
			e.act("donghai.dispatcher", id, "dispatch", map[string]any{"department_code": "350503D01"})
			e.act("dept01.staff", id, "sign", nil)
			e.act("dept01.staff", id, "handle", map[string]any{"note": "已联系业主，电话 (0595)2288 1234，微信号 zhang_san88"})
			for _, path := range []string{"/open311/v2/requests.{fmt}?extensions=true", "/open311/v2/requests/" + receipt[0].ID + ".{fmt}?extensions=true"} {
				x, j, _ := e.both(path, 200)
				body := string(x.body) + string(j.body)
				if !strings.Contains(body, "井盖缺失，联系***") {
					t.Fatalf("%s: the report is not listed: %s", path, j.body)
				}
				for _, s := range append(contactForms, secrets...) {
					if strings.Contains(body, s) {
						t.Errorf("%s shows %q:\n%s", path, s, j.body)
					}
				}
			}
		})
	}
}
