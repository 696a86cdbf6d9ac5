package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/eval"
)

// oaEvalCalls calls the operations of the indicators (call it from oaCalls).
func oaEvalCalls(t *testing.T, k *oaChecker) {
	srv := k.srv
	clients := map[string]*apptest.Client{}
	as := func(name string) *apptest.Client {
		if clients[name] == nil {
			clients[name] = srv.Login(t, name)
		}
		return clients[name]
	}
	evalWalk(t, as, "donghai", 24.925, 118.574, "人行道积水严重", evalDonghaiSteps)
	if _, err := srv.App.Eval.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	leader, district, worker, resident := as("donghai.leader"), as("district.leader"), as("donghai.grid_worker"), as("resident1")
	from, to := evalPeriod()
	period := "from=" + from + "&to=" + to
	oaEvalIndicators(t, k, as, period)
	oaEvalRankings(t, k, as, period)
	oaEvalTrend(t, k, as)
	oaEvalSchemes(t, k, as)

	// A subdistrict's briefing, its workbook, and its refusals.
	brief := "/api/v1/briefings?level=subdistrict&code=350503001&" + period
	var b struct {
		Code    string `json:"code"`
		Overdue []any  `json:"overdue"`
	}
	oaDecode(t, k.do(t, oaCall{as: leader, method: "GET", path: brief, want: 200}), &b)
	if b.Code != "350503001" {
		t.Errorf("briefing: %+v", b)
	}
	k.do(t, oaCall{as: leader, method: "GET", path: brief + "&format=xlsx", want: 200})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/briefings?level=person&code=x&" + period, want: 400, invalid: true})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/briefings?level=subdistrict&code=350503002&" + period, want: 404})
	k.do(t, oaCall{as: resident, method: "GET", path: brief, want: 403})

	// Definitions, named in the caller's language.
	for _, lang := range []string{"zh-CN", "en"} {
		var defs struct {
			Counts []struct{ Code, Name string } `json:"counts"`
			Rates  []struct{ Code, Name string } `json:"rates"`
		}
		oaDecode(t, k.do(t, oaCall{as: worker, method: "GET", path: "/api/v1/indicators/definitions?lang=" + lang, want: 200}), &defs)
		if len(defs.Counts) != len(eval.CountCodes()) || len(defs.Rates) != len(eval.RateCodes()) {
			t.Errorf("definitions: %d counts, %d rates", len(defs.Counts), len(defs.Rates))
		}
		for _, d := range append(defs.Counts, defs.Rates...) {
			if d.Name == "" || strings.HasPrefix(d.Name, "eval.") {
				t.Errorf("%s has no %s name: %q", d.Code, lang, d.Name)
			}
		}
	}
	k.do(t, oaCall{as: resident, method: "GET", path: "/api/v1/indicators/definitions", want: 403})

	// The evidence of a person and the picks.
	dispatcher := userID(t, as("donghai.dispatcher"))
	evidence := "/api/v1/eval/people/" + dispatcher + "/evidence?"
	var ev struct {
		Person struct {
			Name string `json:"name"`
			Role string `json:"role"`
		} `json:"person"`
		Steps []struct {
			Action string `json:"action"`
		} `json:"steps"`
	}
	oaDecode(t, k.do(t, oaCall{as: leader, method: "GET", path: evidence + period, want: 200}), &ev)
	if ev.Person.Role != "dispatcher" || len(ev.Steps) == 0 || ev.Steps[0].Action != "dispatch" {
		t.Errorf("evidence of 东海's dispatcher: %+v", ev)
	}
	k.do(t, oaCall{as: as("donghai.shift_lead"), method: "GET", path: evidence + period + "&lang=en", want: 200})
	k.do(t, oaCall{as: leader, method: "GET", path: evidence + "from=" + to + "&to=" + from, want: 400})
	k.do(t, oaCall{as: leader, method: "GET", path: evidence + "to=" + to, want: 400, invalid: true})
	k.do(t, oaCall{as: worker, method: "GET", path: evidence + period, want: 403})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/eval/people/0190a0a0-0000-7000-8000-00000000dead/evidence?" + period, want: 404})

	picks := "/api/v1/eval/picks"
	pick := map[string]string{"user_id": dispatcher, "from": from, "to": to, "reason": "派遣及时准确"}
	var picked struct {
		ID, Name string
	}
	oaDecode(t, k.do(t, oaCall{as: leader, method: "POST", path: picks, body: pick, want: 201}), &picked)
	if picked.ID == "" || picked.Name != ev.Person.Name {
		t.Errorf("pick: %+v, of %q", picked, ev.Person.Name)
	}
	bad := func(key, value string) map[string]string {
		b := map[string]string{"user_id": dispatcher, "from": from, "to": to, "reason": "派遣及时准确"}
		b[key] = value
		return b
	}
	k.do(t, oaCall{as: leader, method: "POST", path: picks, body: bad("reason", "好"), want: 400, invalid: true})
	k.do(t, oaCall{as: leader, method: "POST", path: picks, body: bad("reason", "   好   "), want: 400}) // one character once trimmed
	k.do(t, oaCall{as: leader, method: "POST", path: picks, body: bad("from", "yesterday"), want: 400, invalid: true})
	k.do(t, oaCall{as: leader, method: "POST", path: picks, body: bad("to", "2000-01-01"), want: 400})
	k.do(t, oaCall{as: leader, method: "POST", path: picks, body: bad("score", "100"), want: 400, invalid: true})
	k.do(t, oaCall{as: leader, method: "POST", path: picks, body: bad("user_id", "0190a0a0-0000-7000-8000-00000000dead"), want: 404})
	k.do(t, oaCall{as: leader, method: "POST", path: picks, body: bad("reason", strings.Repeat("好", 4000)), want: 413})
	k.do(t, oaCall{as: leader, method: "POST", path: picks, body: "user_id=x", contentType: "application/x-www-form-urlencoded", want: 415, invalid: true})
	k.do(t, oaCall{as: as("donghai.shift_lead"), method: "POST", path: picks, body: pick, want: 403})
	var list struct {
		Picks []struct{ ID string } `json:"picks"`
	}
	oaDecode(t, k.do(t, oaCall{as: district, method: "GET", path: picks, want: 200}), &list)
	if len(list.Picks) != 1 || list.Picks[0].ID != picked.ID {
		t.Errorf("picks after one pick: %+v", list)
	}
	k.do(t, oaCall{as: worker, method: "GET", path: picks, want: 403})
	if b := k.do(t, oaCall{as: leader, method: "GET", path: evidence + period, want: 200}); !bytes.Contains(b, []byte(picked.ID)) {
		t.Errorf("the evidence does not show the pick: %.300s", b)
	}
}

// oaEvalIndicators calls the contract GET /api/v1/indicators.
func oaEvalIndicators(t *testing.T, k *oaChecker, as func(string) *apptest.Client, period string) {
	leader, district, worker := as("donghai.leader"), as("district.leader"), as("donghai.grid_worker")
	path := "/api/v1/indicators?" + period
	type row struct {
		Code   string              `json:"code"`
		Counts map[string]int64    `json:"counts"`
		Rates  map[string]*float64 `json:"rates"`
		Score  *float64            `json:"score"`
		Grade  *string             `json:"grade"`
		Scheme string              `json:"scheme"`
		Ranked bool                `json:"ranked"`
	}
	var table struct {
		Rows []row `json:"rows"`
	}
	oaDecode(t, k.do(t, oaCall{as: leader, method: "GET", path: path + "&level=subdistrict", want: 200}), &table)
	if len(table.Rows) != 1 || table.Rows[0].Code != home || table.Rows[0].Counts["closed"] < 1 || table.Rows[0].Rates["closure_rate"] == nil {
		t.Fatalf("东海's row: %+v", table.Rows)
	}
	// A unit where nothing happened has every rate null, and no score: nothing was measured.
	oaDecode(t, k.do(t, oaCall{as: district, method: "GET", path: path + "&level=grid&format=json", want: 200}), &table)
	idle := slices.IndexFunc(table.Rows, func(r row) bool { return r.Counts["reports"] == 0 })
	if idle < 0 {
		t.Fatal("every grid has reports")
	}
	for code, v := range table.Rows[idle].Rates {
		if v != nil {
			t.Errorf("grid %s without cases: %s = %v", table.Rows[idle].Code, code, *v)
		}
	}
	if r := table.Rows[idle]; r.Score != nil || r.Grade != nil || r.Ranked {
		t.Errorf("grid %s without cases is scored: %+v", r.Code, r)
	}
	for _, level := range eval.Levels {
		k.do(t, oaCall{as: district, method: "GET", path: path + "&level=" + string(level), want: 200})
	}
	k.do(t, oaCall{as: as("dept01.staff"), method: "GET", path: path + "&level=department&lang=en", want: 200})
	oaDecode(t, k.do(t, oaCall{as: leader, method: "GET", path: path + "&level=subdistrict&scheme=gbt30428-area", want: 200}), &table)
	if table.Rows[0].Scheme != "gbt30428-area v1" {
		t.Errorf("scored with %q", table.Rows[0].Scheme)
	}
	// The downloads: a header in the caller's language, then a row per unit.
	for lang, header := range map[string]string{"zh-CN": "\ufeff编码,名称,上报数,", "en": "\ufeffCode,Name,Reports,"} {
		csv := string(k.do(t, oaCall{as: leader, method: "GET", path: path + "&level=community&format=csv&lang=" + lang, want: 200}))
		if !strings.HasPrefix(csv, header) || !strings.Contains(csv, "\n"+home+"001,") {
			t.Errorf("CSV in %s: %.200q", lang, csv)
		}
		// Every column is named: code, name, the counts, the rates, score, grade, scheme.
		first, _, _ := strings.Cut(csv, "\n")
		cells := strings.Split(first, ",")
		if len(cells) != 2+len(eval.CountCodes())+len(eval.RateCodes())+3 {
			t.Errorf("CSV header in %s has %d columns: %q", lang, len(cells), first)
		}
		for _, cell := range cells {
			if strings.HasPrefix(cell, "eval.") {
				t.Errorf("CSV column %q has no %s name", cell, lang)
			}
		}
	}
	if xlsx := k.do(t, oaCall{as: leader, method: "GET", path: path + "&level=zone&format=xlsx", want: 200}); !bytes.HasPrefix(xlsx, []byte("PK")) {
		t.Errorf("the xlsx download is not a workbook: %.20q", xlsx)
	}
	backwards := "from=2026-03-31&to=2026-03-01"
	for _, c := range []struct {
		query   string
		want    int
		invalid bool
	}{
		{period + "&level=community&format=pdf", 400, true},
		{period + "&level=planet", 400, true},
		{period, 400, true},
		{"to=2026-03-31&level=grid", 400, true},
		{"from=2026-3-1&to=2026-03-31&level=grid", 400, true},
		{backwards + "&level=grid", 400, false},
		{"from=2000-01-01&to=2026-03-31&level=grid", 400, false},
		{period + "&level=subdistrict&scheme=no-such-scheme", 400, false},
		{period + "&level=subdistrict&scheme=gbt30428-grid", 400, false},
		{period + "&level=subdistrict&scheme=Bad_Code", 400, true},
	} {
		k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/indicators?" + c.query, want: c.want, invalid: c.invalid})
	}
	// Refusals say what is wrong in the caller's language, with the value given.
	for _, c := range []struct{ query, lang, want string }{
		{"&level=planet", "zh-CN", "统计层级“planet”无效"},
		{"&level=planet", "en", "Invalid level “planet”"},
		{"&level=grid&format=pdf", "zh-CN", "导出格式“pdf”无效"},
		{"&level=grid&format=pdf", "en", "Invalid export format “pdf”"},
	} {
		var e struct{ Message string }
		oaDecode(t, k.do(t, oaCall{as: leader, method: "GET", path: path + c.query + "&lang=" + c.lang, want: 400, invalid: true}), &e)
		if !strings.Contains(e.Message, c.want) {
			t.Errorf("%s in %s: %q", c.query, c.lang, e.Message)
		}
	}
	k.do(t, oaCall{as: worker, method: "GET", path: path + "&level=person", want: 403})
	k.do(t, oaCall{as: worker, method: "GET", path: path + "&level=person&format=csv", want: 403})
	k.do(t, oaCall{as: as("resident1"), method: "GET", path: path + "&level=grid", want: 403})
}

// oaEvalRankings calls GET /api/v1/rankings.
func oaEvalRankings(t *testing.T, k *oaChecker, as func(string) *apptest.Client, period string) {
	leader, district := as("donghai.leader"), as("district.leader")
	var ranking struct {
		Previous struct{ From, To string } `json:"previous"`
		Rows     []struct {
			Code string `json:"code"`
			Rank *int   `json:"rank"`
		} `json:"rows"`
	}
	// A whole month is compared with the month before.
	oaDecode(t, k.do(t, oaCall{as: district, method: "GET", path: "/api/v1/rankings?from=2026-03-01&to=2026-03-31&level=zone", want: 200}), &ranking)
	if ranking.Previous.From != "2026-02-01" || ranking.Previous.To != "2026-02-28" || len(ranking.Rows) != 8 {
		t.Errorf("zones of March 2026: previous %+v, %d rows", ranking.Previous, len(ranking.Rows))
	}
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/rankings?" + period + "&level=subdistrict&lang=en", want: 200})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/rankings?" + period + "&level=person", want: 200})
	k.do(t, oaCall{as: district, method: "GET", path: "/api/v1/rankings?" + period + "&level=grid&scheme=gbt30428-grid", want: 200})
	// A department's staff rank no places: an empty ranking.
	k.do(t, oaCall{as: as("dept01.staff"), method: "GET", path: "/api/v1/rankings?" + period + "&level=grid", want: 200})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/rankings?" + period + "&level=street", want: 400, invalid: true})
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/rankings?" + period + "&level=grid&scheme=gbt30428-area", want: 400})
	k.do(t, oaCall{as: as("donghai.dispatcher"), method: "GET", path: "/api/v1/rankings?" + period + "&level=person", want: 403})
	k.do(t, oaCall{as: as("secadmin"), method: "GET", path: "/api/v1/rankings?" + period + "&level=grid", want: 403})
}

// oaEvalTrend calls GET /api/v1/indicators/trend.
func oaEvalTrend(t *testing.T, k *oaChecker, as func(string) *apptest.Client) {
	leader, district := as("donghai.leader"), as("district.leader")
	month := time.Now().In(eval.Zone).Format("2006-01")
	var trend struct {
		Points []struct {
			Period string `json:"period"`
		} `json:"points"`
	}
	oaDecode(t, k.do(t, oaCall{as: district, method: "GET", path: "/api/v1/indicators/trend?level=subdistrict&code=" + home + "&to=" + month + "&months=3", want: 200}), &trend)
	if len(trend.Points) != 3 || trend.Points[2].Period != month {
		t.Errorf("a trend of 3 months to %s: %+v", month, trend.Points)
	}
	oaDecode(t, k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/indicators/trend?level=person&code=" + userID(t, as("donghai.dispatcher")), want: 200}), &trend)
	if len(trend.Points) != 12 || trend.Points[11].Period != month {
		t.Errorf("a default trend: %d points", len(trend.Points))
	}
	k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/indicators/trend?level=grid&code=" + home + "001001&months=1&scheme=gbt30428-grid&lang=en", want: 200})
	for _, c := range []struct {
		query   string
		want    int
		invalid bool
	}{
		{"level=subdistrict&code=" + home + "&months=0", 400, true},
		{"level=subdistrict&code=" + home + "&months=37", 400, true},
		{"level=subdistrict&code=" + home + "&months=many", 400, true},
		{"level=subdistrict&code=" + home + "&to=2026-13", 400, true},
		{"level=subdistrict&code=" + home + "&to=2026-01-01", 400, true},
		{"level=county&code=" + home, 400, true},
		{"level=subdistrict&code=" + home + "&scheme=gbt30428-grid", 400, false},
		{"level=subdistrict&code=" + home + "&scheme=no-such-scheme", 400, false},
		{"level=subdistrict&code=" + other, 404, false},
		{"level=subdistrict", 404, true},
	} {
		k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/indicators/trend?" + c.query, want: c.want, invalid: c.invalid})
	}
	var e struct{ Message string }
	oaDecode(t, k.do(t, oaCall{as: leader, method: "GET", path: "/api/v1/indicators/trend?level=grid&code=x&months=99&lang=en", want: 400, invalid: true}), &e)
	if e.Message != "The number of months must be a whole number from 1 to 36." {
		t.Errorf("months=99: %q", e.Message)
	}
	k.do(t, oaCall{as: as("donghai.grid_worker"), method: "GET", path: "/api/v1/indicators/trend?level=person&code=x", want: 403})
	k.do(t, oaCall{as: as("resident1"), method: "GET", path: "/api/v1/indicators/trend?level=grid&code=x", want: 403})
}

// oaEvalSchemes calls GET and POST /api/v1/eval/schemes.
func oaEvalSchemes(t *testing.T, k *oaChecker, as func(string) *apptest.Client) {
	sys, leader := as("sysadmin"), as("donghai.leader")
	schemes := "/api/v1/eval/schemes"
	var list struct {
		Schemes []struct{ Code string } `json:"schemes"`
	}
	oaDecode(t, k.do(t, oaCall{as: leader, method: "GET", path: schemes, want: 200}), &list)
	if !slices.ContainsFunc(list.Schemes, func(s struct{ Code string }) bool { return s.Code == "gbt30428-area" }) {
		t.Errorf("the shipped schemes are missing: %+v", list)
	}
	k.do(t, oaCall{as: as("resident1"), method: "GET", path: schemes, want: 403})

	var added struct {
		Version int `json:"version"`
	}
	oaDecode(t, k.do(t, oaCall{as: sys, method: "POST", path: schemes, body: evalScheme("oa-scheme", "2026-01-01"), want: 201}), &added)
	next := evalScheme("oa-scheme", "2026-02-01")
	next["version"] = 7 // the server numbers versions
	if oaDecode(t, k.do(t, oaCall{as: sys, method: "POST", path: schemes, body: next, want: 201}), &added); added.Version != 2 {
		t.Errorf("the second version is numbered %d", added.Version)
	}
	k.do(t, oaCall{as: sys, method: "POST", path: schemes, body: evalScheme("oa-scheme", "2026-01-15"), want: 409})
	with := func(key string, value any) map[string]any {
		s := evalScheme("oa-bad", "2026-01-01")
		s[key] = value
		return s
	}
	k.do(t, oaCall{as: sys, method: "POST", path: schemes, want: 400, // grades not from the best down
		body: with("grades", []map[string]any{{"grade": "B", "min": 0}, {"grade": "A", "min": 90}})})
	k.do(t, oaCall{as: sys, method: "POST", path: schemes, want: 400, // a term of two kinds
		body: with("terms", []map[string]any{{"weight": 1, "indicator": "closure_rate", "count": "closed", "bands": []map[string]any{{"score": 1}}}})})
	k.do(t, oaCall{as: sys, method: "POST", path: schemes, want: 400, invalid: true,
		body: with("terms", []map[string]any{{"weight": 1, "indicator": "happiness_rate"}})})
	k.do(t, oaCall{as: sys, method: "POST", path: schemes, want: 400, invalid: true, body: with("levels", []string{"province"})})
	k.do(t, oaCall{as: sys, method: "POST", path: schemes, want: 400, invalid: true, body: with("code", "Bad Code")})
	k.do(t, oaCall{as: sys, method: "POST", path: schemes, want: 400, invalid: true, body: with("weights", 1)})
	k.do(t, oaCall{as: sys, method: "POST", path: schemes, want: 400, invalid: true, body: with("levels", "grid")})
	k.do(t, oaCall{as: sys, method: "POST", path: schemes, want: 413, invalid: true, body: with("note", strings.Repeat("注", 30000))})
	k.do(t, oaCall{as: sys, method: "POST", path: schemes, want: 415, invalid: true, body: "code=x", contentType: "text/plain"})
	k.do(t, oaCall{as: leader, method: "POST", path: schemes, want: 403, body: evalScheme("oa-leader", "2026-01-01")})
	var all struct {
		Versions []struct {
			Code    string `json:"code"`
			Version int    `json:"version"`
		} `json:"versions"`
	}
	oaDecode(t, k.do(t, oaCall{as: leader, method: "GET", path: schemes + "?lang=en", want: 200}), &all)
	n := 0
	for _, v := range all.Versions {
		if strings.HasPrefix(v.Code, "oa-") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d versions of the posted schemes stored, want 2: %+v", n, all.Versions)
	}
}

// TestOpenAPIEvalNamesEveryFigure: the document names every count, rate and level that
// package eval computes, in its order, so that a new indicator cannot go undocumented.
func TestOpenAPIEvalNamesEveryFigure(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(eval.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	// properties reads a schema's property names in the order written.
	properties := func(name string) []string {
		var s struct {
			Properties json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(doc.Components.Schemas[name], &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		dec := json.NewDecoder(bytes.NewReader(s.Properties))
		var keys []string
		if _, err := dec.Token(); err != nil { // {
			t.Fatalf("%s: %v", name, err)
		}
		for dec.More() {
			key, err := dec.Token()
			var value json.RawMessage
			if err == nil {
				err = dec.Decode(&value)
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			keys = append(keys, key.(string))
		}
		return keys
	}
	if got := properties("EvalCounts"); !slices.Equal(got, eval.CountCodes()) {
		t.Errorf("EvalCounts: %v\nwant %v", got, eval.CountCodes())
	}
	if got := properties("EvalRates"); !slices.Equal(got, eval.RateCodes()) {
		t.Errorf("EvalRates: %v\nwant %v", got, eval.RateCodes())
	}
	if got := properties("EvalGaps"); !slices.Equal(got, append([]string{"score"}, eval.RateCodes()...)) {
		t.Errorf("EvalGaps: %v", got)
	}
	var level struct {
		Enum []eval.Level `json:"enum"`
	}
	if err := json.Unmarshal(doc.Components.Schemas["EvalLevel"], &level); err != nil || !slices.Equal(level.Enum, eval.Levels) {
		t.Errorf("EvalLevel: %v, want %v (%v)", level.Enum, eval.Levels, err)
	}
}
