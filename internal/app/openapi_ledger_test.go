package app_test

import (
	"testing"
)

// oaLedgerCalls calls the operations of the seed-fund ledger (财政启动资金): a finance officer
// makes entries, another approves or rejects them, evidence is attached and downloaded, and the
// funds, the closes and the public view are read.
func oaLedgerCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	officer, checker := srv.Login(t, "district.finance_officer"), srv.Login(t, "district.finance_checker")
	leader, worker := srv.Login(t, "district.leader"), srv.Login(t, "donghai.grid_worker")
	const zone = "350503008Z01"
	projects, err := srv.App.Projects.List(asSystem(), zone)
	if err != nil || len(projects) < 2 {
		t.Fatalf("the demo projects of %s: %v", zone, err)
	}

	entry := map[string]any{"kind": "commit", "zone_code": zone, "project_id": projects[0].ID, "amount_fen": 1000, "idempotency_key": "oa-ledger-1", "memo": "接口测试"}
	var made struct{ ID string }
	oaDecode(t, k.do(t, oaCall{as: officer, method: "POST", path: "/api/v1/ledger/entries", body: entry, want: 201}), &made)
	k.do(t, oaCall{as: officer, method: "POST", path: "/api/v1/ledger/entries", body: entry, want: 200})
	k.do(t, oaCall{as: officer, method: "POST", path: "/api/v1/ledger/entries", body: map[string]any{"kind": "commit", "zone_code": zone,
		"project_id": projects[0].ID, "amount_fen": 999, "idempotency_key": "oa-ledger-1"}, want: 409})
	k.do(t, oaCall{as: officer, method: "POST", path: "/api/v1/ledger/entries", body: map[string]any{"kind": "allocate", "zone_code": zone,
		"amount_fen": 0, "idempotency_key": "oa-ledger-2"}, want: 400})
	k.do(t, oaCall{as: officer, method: "POST", path: "/api/v1/ledger/entries", body: map[string]any{"kind": "steal", "zone_code": zone,
		"amount_fen": 1, "idempotency_key": "oa-ledger-3"}, want: 400, invalid: true})
	k.do(t, oaCall{as: officer, method: "POST", path: "/api/v1/ledger/entries", body: map[string]any{"kind": "allocate", "zone_code": "nowhere",
		"amount_fen": 1, "idempotency_key": "oa-ledger-4"}, want: 404})
	k.do(t, oaCall{as: worker, method: "POST", path: "/api/v1/ledger/entries", body: entry, want: 403})
	k.do(t, oaCall{as: officer, method: "POST", path: "/api/v1/ledger/entries", body: "x", contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{as: officer, method: "POST", path: "/api/v1/ledger/entries", body: `{"memo":"` + string(make([]byte, 20<<10)) + `"}`, want: 413, invalid: true})

	approve := "/api/v1/ledger/entries/" + made.ID + "/approve"
	k.do(t, oaCall{as: officer, method: "POST", path: approve, want: 403})
	k.do(t, oaCall{as: checker, method: "POST", path: "/api/v1/ledger/entries/nope/approve", want: 404})
	k.do(t, oaCall{as: checker, method: "POST", path: approve, want: 200})
	k.do(t, oaCall{as: checker, method: "POST", path: approve, want: 409})

	var big struct{ ID string }
	oaDecode(t, k.do(t, oaCall{as: officer, method: "POST", path: "/api/v1/ledger/entries", body: map[string]any{"kind": "commit", "zone_code": zone,
		"project_id": projects[1].ID, "amount_fen": 10_000_000_000, "idempotency_key": "oa-ledger-5"}, want: 201}), &big)
	k.do(t, oaCall{as: checker, method: "POST", path: "/api/v1/ledger/entries/" + big.ID + "/approve", want: 409})
	reject := "/api/v1/ledger/entries/" + big.ID + "/reject"
	k.do(t, oaCall{as: checker, method: "POST", path: reject, body: map[string]any{"reason": ""}, want: 400})
	k.do(t, oaCall{as: checker, method: "POST", path: reject, body: map[string]any{"nope": 1}, want: 400, invalid: true})
	k.do(t, oaCall{as: officer, method: "POST", path: reject, body: map[string]any{"reason": "自己退回"}, want: 403})
	k.do(t, oaCall{as: checker, method: "POST", path: "/api/v1/ledger/entries/nope/reject", body: map[string]any{"reason": "不存在"}, want: 404})
	k.do(t, oaCall{as: checker, method: "POST", path: reject, body: "x", contentType: "text/plain", want: 415, invalid: true})
	k.do(t, oaCall{as: checker, method: "POST", path: reject, body: `{"reason":"` + string(make([]byte, 20<<10)) + `"}`, want: 413, invalid: true})
	k.do(t, oaCall{as: checker, method: "POST", path: reject, body: map[string]any{"reason": "超出可用资金"}, want: 200})
	k.do(t, oaCall{as: checker, method: "POST", path: reject, body: map[string]any{"reason": "再次退回"}, want: 409})

	evidence := "/api/v1/ledger/entries/" + made.ID + "/evidence"
	form, ct := oaForm(t, [2]string{"file", "%PDF-1.4 oa evidence"})
	var ev struct{ ID string }
	oaDecode(t, k.do(t, oaCall{as: checker, method: "POST", path: evidence, body: form, contentType: ct, want: 201}), &ev)
	html, ct := oaForm(t, [2]string{"file", "<html></html>"})
	k.do(t, oaCall{as: checker, method: "POST", path: evidence, body: html, contentType: ct, want: 415})
	empty, ct := oaForm(t, [2]string{"other", "%PDF-1.4"})
	k.do(t, oaCall{as: checker, method: "POST", path: evidence, body: empty, contentType: ct, want: 400, invalid: true})
	big5, ct := oaForm(t, [2]string{"file", "%PDF-" + string(make([]byte, 5<<20))})
	k.do(t, oaCall{as: checker, method: "POST", path: evidence, body: big5, contentType: ct, want: 413})
	k.do(t, oaCall{as: checker, method: "POST", path: "/api/v1/ledger/entries/" + big.ID + "/evidence", body: form, contentType: oaFormType(form), want: 409})
	k.do(t, oaCall{as: checker, method: "POST", path: "/api/v1/ledger/entries/nope/evidence", body: form, contentType: oaFormType(form), want: 404})
	k.do(t, oaCall{as: worker, method: "POST", path: evidence, body: form, contentType: oaFormType(form), want: 403})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/ledger/evidence/" + ev.ID, want: 200})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/ledger/evidence/nope", want: 404})
	k.do(t, oaCall{as: worker, method: "GET", path: "/api/v1/ledger/evidence/" + ev.ID, want: 403})

	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/ledger/entries?zone_code=" + zone + "&status=posted&kind=commit&limit=5", want: 200})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/ledger/entries?status=maybe", want: 400, invalid: true})
	k.do(t, oaCall{as: worker, method: "GET", path: "/api/v1/ledger/entries", want: 403})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/ledger/entries/" + made.ID, want: 200})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/ledger/entries/nope", want: 404})
	k.do(t, oaCall{as: worker, method: "GET", path: "/api/v1/ledger/entries/" + made.ID, want: 403})

	if _, err := srv.App.Ledger.Close(t.Context(), srv.App.Now()); err != nil {
		t.Fatal(err)
	}
	k.do(t, oaCall{as: checker, method: "GET", path: "/api/v1/ledger/closes?limit=3", want: 200})
	k.do(t, oaCall{as: checker, method: "GET", path: "/api/v1/ledger/closes?limit=0", want: 400, invalid: true})
	k.do(t, oaCall{as: srv.Login(t, "donghai.finance_officer"), method: "GET", path: "/api/v1/ledger/closes", want: 403})

	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/zones/" + zone + "/fund", want: 200})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/zones/nowhere/fund", want: 404})
	k.do(t, oaCall{as: worker, method: "GET", path: "/api/v1/zones/" + zone + "/fund", want: 403})
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/zones/" + zone + "/fund", want: 200})
	k.do(t, oaCall{method: "GET", path: "/api/v1/public/zones/nowhere/fund", want: 404})
}

// oaFormType is the content type of a body oaForm made (its boundary is on its first line).
func oaFormType(form []byte) string {
	for i, b := range form {
		if b == '\r' {
			return "multipart/form-data; boundary=" + string(form[2:i])
		}
	}
	return ""
}
