package eval_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/dbtest"
)

// closedCase is an imported case of one day at a point, closed or only registered.
func closedCase(id, day string, lat, lng float64, closed bool) string {
	events := `{"action":"register","at":"` + day + `T10:00:00+08:00"}`
	if closed {
		events += `,{"action":"dispatch","at":"` + day + `T10:30:00+08:00","department_code":"350503D01"},{"action":"sign","at":"` + day +
			`T11:00:00+08:00"},{"action":"report_back","at":"` + day + `T15:00:00+08:00"},{"action":"verify","at":"` + day +
			`T16:00:00+08:00","result":"pass"},{"action":"close","at":"` + day + `T17:00:00+08:00"}`
	}
	return fmt.Sprintf(`{"external_id":%q,"channel":"patrol","kind":"report","category_code":"06010","lat":%v,"lng":%v,"description":"案卷%s","reported_at":"%sT09:00:00+08:00","events":[%s]}`+"\n",
		id, lat, lng, id, day, events)
}

// Rankings with a district's own scheme: the order, ties sharing a rank, the minimum sample, the
// change against the previous month, and a new scheme version that scores later periods only.
func TestRankingsAndSchemeVersions(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			srv := apptest.Start(t, engine)
			sys := srv.Login(t, "sysadmin")
			scheme := map[string]any{"code": "closure-only", "valid_from": "2026-01-01", "name": "结案率排名", "standard_ref": "test: 结案率 (CJ/T 292)",
				"levels": []string{"subdistrict"}, "min_sample": map[string]any{"count": "should_close", "n": 2},
				"terms":  []map[string]any{{"weight": 100, "indicator": "closure_rate"}},
				"grades": []map[string]any{{"grade": "优", "min": 90}, {"grade": "差", "min": 0}}}
			if st, raw := sys.Raw("POST", "/api/v1/eval/schemes", scheme); st != 201 || !strings.Contains(string(raw), `"version":1`) {
				t.Fatalf("add scheme: %d %s", st, raw)
			}
			// Donghai (D), Chengdong (C), Beifeng (B — one case only: below the sample).
			d, c := [2]float64{24.925, 118.5743}, [2]float64{24.9251, 118.5995}
			var batch strings.Builder
			// October: D 2 of 2 closed (100), C 1 of 2 (50).
			batch.WriteString(closedCase("D1", "2026-10-05", d[0], d[1], true))
			batch.WriteString(closedCase("D2", "2026-10-06", d[0], d[1], true))
			batch.WriteString(closedCase("C1", "2026-10-05", c[0], c[1], true))
			batch.WriteString(closedCase("C2", "2026-10-06", c[0], c[1], false))
			// November: D 1 of 2 (50), C 2 of 2 (100).
			batch.WriteString(closedCase("D3", "2026-11-05", d[0], d[1], true))
			batch.WriteString(closedCase("D4", "2026-11-06", d[0], d[1], false))
			batch.WriteString(closedCase("C3", "2026-11-05", c[0], c[1], true))
			batch.WriteString(closedCase("C4", "2026-11-06", c[0], c[1], true))
			if st, raw := sys.Raw("POST", "/api/v1/import/cases", batch.String()); st != 200 {
				t.Fatalf("import: %d %s", st, raw)
			}
			if _, err := srv.App.Eval.CatchUp(context.Background()); err != nil {
				t.Fatal(err)
			}
			leader := srv.Login(t, "district.leader")
			type standing struct {
				Code         string
				Score        *float64
				Grade        *string
				Rank         *int
				PreviousRank *int `json:"previous_rank"`
				RankChange   *int `json:"rank_change"`
				Of           int
				Ranked       bool
				Scheme       string
				Gaps         map[string]struct {
					ToBest   *float64 `json:"to_best"`
					ToMedian *float64 `json:"to_median"`
				}
			}
			rank := func(month string) map[string]standing {
				var out struct{ Rows []standing }
				q := "/api/v1/rankings?level=subdistrict&scheme=closure-only&from=2026-" + month + "-01&to=2026-" + month + "-30"
				if st, raw := leader.Raw("GET", q, nil); st != 200 {
					t.Fatalf("%s: %d %s", q, st, raw)
				} else if err := jsonUnmarshal(raw, &out); err != nil {
					t.Fatal(err)
				}
				m := map[string]standing{}
				for _, r := range out.Rows {
					m[r.Code] = r
				}
				if len(out.Rows) != 8 || out.Rows[0].Rank == nil || *out.Rows[0].Rank != 1 {
					t.Fatalf("%s: %d rows, first %+v", month, len(out.Rows), out.Rows[0])
				}
				return m
			}
			oct := rank("10")
			if r := oct["350503001"]; r.Rank == nil || *r.Rank != 1 || r.Of != 2 || *r.Score != 100 || *r.Grade != "优" || r.Scheme != "closure-only v1" {
				t.Errorf("October Donghai %+v", r)
			}
			if r := oct["350503002"]; r.Rank == nil || *r.Rank != 2 || *r.Gaps["score"].ToBest != 50 || *r.Gaps["closure_rate"].ToBest != 50 {
				t.Errorf("October Chengdong %+v", r)
			}
			if r := oct["350503003"]; r.Rank != nil || r.Ranked {
				t.Errorf("a subdistrict with nothing is ranked: %+v", r)
			}
			nov := rank("11")
			if r := nov["350503002"]; r.Rank == nil || *r.Rank != 1 || r.PreviousRank == nil || *r.PreviousRank != 2 || *r.RankChange != 1 {
				t.Errorf("November Chengdong climbs: %+v", r)
			}
			if r := nov["350503001"]; r.Rank == nil || *r.Rank != 2 || *r.RankChange != -1 {
				t.Errorf("November Donghai falls: %+v", r)
			}

			// A new version from November: 50 of closure counts as 优 now. October keeps version 1.
			scheme["valid_from"] = "2026-11-01"
			scheme["grades"] = []map[string]any{{"grade": "优", "min": 50}, {"grade": "差", "min": 0}}
			if st, raw := sys.Raw("POST", "/api/v1/eval/schemes", scheme); st != 201 || !strings.Contains(string(raw), `"version":2`) {
				t.Fatalf("version 2: %d %s", st, raw)
			}
			if r := rank("10")["350503002"]; *r.Grade != "差" || r.Scheme != "closure-only v1" {
				t.Errorf("October rescored: %+v", r)
			}
			if r := rank("11")["350503001"]; *r.Grade != "优" || r.Scheme != "closure-only v2" {
				t.Errorf("November with v2: %+v", r)
			}
			// A version reaching back under the latest is refused: it would rescore published periods.
			scheme["valid_from"] = "2026-10-01"
			if st, raw := sys.Raw("POST", "/api/v1/eval/schemes", scheme); st != 409 {
				t.Errorf("back-dated version: %d %s", st, raw)
			}
			// Ties share a rank: in a period holding both months each closed 3 of 4.
			var both struct{ Rows []standing }
			leader.Do("GET", "/api/v1/rankings?level=subdistrict&scheme=closure-only&from=2026-10-01&to=2026-11-30", nil, &both)
			if r := both.Rows; *r[0].Rank != 1 || *r[1].Rank != 1 || *r[0].Score != 75 {
				t.Errorf("a tie: %+v %+v", r[0], r[1])
			}

			// The trend: month by month beside the peers.
			var tr struct {
				Points []struct {
					Period string
					Score  *float64
					Rank   *int
					Peers  struct {
						BestScore *float64 `json:"best_score"`
						Ranked    int
					}
				}
			}
			if st, raw := leader.Raw("GET", "/api/v1/indicators/trend?level=subdistrict&code=350503002&to=2026-11&months=3&scheme=closure-only", nil); st != 200 {
				t.Fatalf("trend: %d %s", st, raw)
			} else if err := jsonUnmarshal(raw, &tr); err != nil {
				t.Fatal(err)
			}
			if p := tr.Points; len(p) != 3 || p[0].Period != "2026-09" || p[0].Score != nil || *p[1].Score != 50 || *p[2].Score != 100 ||
				*p[2].Rank != 1 || *p[1].Peers.BestScore != 100 || p[1].Peers.Ranked != 2 {
				t.Errorf("trend %+v", p)
			}
			// Out of reach: a subdistrict's leader cannot follow another subdistrict.
			if st, _ := srv.Login(t, "donghai.leader").Raw("GET", "/api/v1/indicators/trend?level=subdistrict&code=350503002", nil); st != 404 {
				t.Errorf("another subdistrict's trend: %d", st)
			}
		})
	}
}
