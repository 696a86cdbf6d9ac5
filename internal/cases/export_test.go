package cases_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/cases/casegen"
	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// TestExportCases exports a history larger than one keyset page (5 000 cases, with report times
// that tie) on both engines and checks that each export holds exactly the cases of the caller's
// scope, each once, newest first, with the header in the caller's language; that CSV parses back
// and xlsx opens; that no personal data leaves; and that formula-like text is neutralised.
func TestExportCases(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			operator := srv.Login(t, "donghai.intake_operator")
			// A hand-made case with personal data in and around it, and a formula for a description.
			var made struct{ Number string }
			st, raw := operator.Raw("POST", "/api/v1/cases", map[string]any{"channel": "hotline_12345", "category_code": "06010",
				"lat": lat, "lng": lng, "reporter_name": "王秀英", "reporter_phone": "13800138000", "address": "东海花园3幢502室",
				"description": `=HYPERLINK("http://evil.example","点击") 门口垃圾，回电 139 1234 5678`})
			if st != 201 {
				t.Fatalf("report: %d %s", st, raw)
			}
			json.Unmarshal(raw, &made)
			// Cases over one day so that report times tie; more than a page for the district.
			if err := casegen.Generate(context.Background(), srv.App.DB, casegen.Options{Count: 5200, Days: 1, Seed: 3}, nil); err != nil {
				t.Fatal(err)
			}
			everything := numbers(t, srv.App.DB, `SELECT number FROM cases`)
			donghai := numbers(t, srv.App.DB, `SELECT number FROM cases WHERE subdistrict_code = '350503001'`)
			if len(donghai) == 0 || len(donghai) == len(everything) {
				t.Fatalf("%d of %d cases in 东海街道: the scope test proves nothing", len(donghai), len(everything))
			}

			leader := srv.Login(t, "district.leader")
			header, rows := exportCSV(t, leader, "/api/v1/cases/export?format=csv&lang=en")
			if header[0] != "Case number" || header[len(header)-1] != "Description" || len(header) != 18 {
				t.Fatalf("English header: %q", header)
			}
			got := column(rows, 0)
			if !slices.Equal(sorted(got), everything) {
				t.Fatalf("the leader's export has %d cases, the district %d", len(got), len(everything))
			}
			// Newest first across pages: report times (column 10) never increase.
			for i := 1; i < len(rows); i++ {
				if rows[i][10] > rows[i-1][10] {
					t.Fatalf("row %d reported %s after row %d's %s", i, rows[i][10], i-1, rows[i-1][10])
				}
			}

			lead := srv.Login(t, "donghai.shift_lead")
			header, rows = exportCSV(t, lead, "/api/v1/cases/export?format=csv")
			if header[0] != "案件编号" || header[2] != "来源渠道" {
				t.Fatalf("Chinese header: %q", header)
			}
			if got := sorted(column(rows, 0)); !slices.Equal(got, donghai) {
				t.Fatalf("东海 export has %d cases, 东海 has %d", len(got), len(donghai))
			}
			i := slices.Index(column(rows, 0), made.Number)
			if i < 0 {
				t.Fatalf("the hand-made case %s is missing", made.Number)
			}
			if desc := rows[i][17]; !strings.HasPrefix(desc, `'=HYPERLINK(`) || strings.Contains(desc, "1234 5678") || !strings.Contains(desc, "***") {
				t.Fatalf("description exported as %q: want the formula neutralised and the phone blacked out", desc)
			}
			if addr := rows[i][16]; addr == "" || strings.Contains(addr, "502") {
				t.Fatalf("address exported as %q: want the flat blacked out", addr)
			}
			var status string
			srv.App.DB.Read.QueryRow(`SELECT status FROM cases WHERE number = $1`, made.Number).Scan(&status)
			if rows[i][1] == "" || rows[i][1] == status || rows[i][2] != "12345 热线" {
				t.Fatalf("status and channel not translated: %q %q", rows[i][1], rows[i][2])
			}
			// A filter of the queue narrows the export the same way.
			_, filtered := exportCSV(t, lead, "/api/v1/cases/export?format=csv&channel=hotline_12345&category=06010")
			want := numbers(t, srv.App.DB, `SELECT number FROM cases WHERE subdistrict_code = '350503001'
				AND channel = 'hotline_12345' AND category_code = '06010'`)
			if got := sorted(column(filtered, 0)); len(want) == 0 || !slices.Equal(got, want) {
				t.Fatalf("filtered export: %d cases, want %d", len(got), len(want))
			}

			// xlsx: a workbook excelize opens, with the same cases.
			st, body := lead.Raw("GET", "/api/v1/cases/export?format=xlsx", nil)
			if st != 200 {
				t.Fatalf("xlsx: %d %s", st, body)
			}
			for _, secret := range []string{"王秀英", "13800138000", "1234 5678", "502室"} {
				if bytes.Contains(body, []byte(secret)) {
					t.Fatalf("xlsx holds %q", secret)
				}
			}
			book, err := excelize.OpenReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("xlsx does not open: %v", err)
			}
			defer book.Close()
			sheet, err := book.GetRows(book.GetSheetList()[0])
			if err != nil {
				t.Fatal(err)
			}
			if sheet[0][0] != "案件编号" || !slices.Equal(sorted(column(sheet[1:], 0)), donghai) {
				t.Fatalf("xlsx: header %q, %d cases, want %d", sheet[0][:1], len(sheet)-1, len(donghai))
			}
		})
	}
}

// TestExportRefusals: a bad format or filter is a 400 in the caller's language before any byte
// of a download; a resident reaches only their own cases.
func TestExportRefusals(t *testing.T) {
	srv := apptest.Start(t, db.SQLite)
	lead := srv.Login(t, "donghai.shift_lead")
	for _, q := range []string{"", "format=json", "format=pdf", "format=csv&status=nonsense", "format=csv&limit=0"} {
		var e struct{ Key, Message string }
		if st := lead.Do("GET", "/api/v1/cases/export?"+q, nil, &e); st != 400 || e.Message == "" || e.Message == e.Key {
			t.Fatalf("%q: %d %+v", q, st, e)
		}
		if q == "format=pdf" && (e.Key != "case.export_format" || !strings.Contains(e.Message, "导出格式")) {
			t.Fatalf("bad format answered %+v", e)
		}
	}
	if st, _ := srv.Anonymous(t).Raw("GET", "/api/v1/cases/export?format=csv", nil); st != 401 {
		t.Fatalf("anonymous export: %d", st)
	}
	resident := srv.Login(t, "resident1")
	if st, raw := resident.Raw("POST", "/api/v1/cases", map[string]any{"category_code": "06010", "lat": lat, "lng": lng,
		"description": "小区门口垃圾堆积三天无人清理"}); st != 201 {
		t.Fatalf("report: %d %s", st, raw)
	}
	_, rows := exportCSV(t, resident, "/api/v1/cases/export?format=csv")
	var theirs int
	srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases c JOIN users u ON u.id = c.reporter_id WHERE u.username = 'resident1'`).Scan(&theirs)
	if theirs == 0 || len(rows) != theirs {
		t.Fatalf("resident1 exported %d cases, reported %d", len(rows), theirs)
	}
}

// exportCSV downloads a CSV export and parses it back (after the byte-order mark).
func exportCSV(t *testing.T, c *apptest.Client, path string) (header []string, rows [][]string) {
	t.Helper()
	st, body := c.Raw("GET", path, nil)
	if st != 200 {
		t.Fatalf("%s: %d %s", path, st, body)
	}
	body, ok := bytes.CutPrefix(body, []byte("\ufeff"))
	if !ok {
		t.Fatalf("%s: no byte-order mark", path)
	}
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("%s: CSV does not parse: %v", path, err)
	}
	return records[0], records[1:]
}

func numbers(t *testing.T, d *db.DB, q string) []string {
	t.Helper()
	list, err := db.Strings(context.Background(), d.Read, q+` ORDER BY number`)
	if err != nil {
		t.Fatal(err)
	}
	return sorted(list)
}

func column(rows [][]string, i int) []string {
	out := make([]string, len(rows))
	for r, row := range rows {
		out[r] = row[i]
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
