package cases_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// BenchmarkIntakeHTTP measures durable intake through the real API on SQLite: 64 concurrent
// clients post cases over HTTP; every 201 means the case is committed (group commit, WAL,
// synchronous=FULL). The clients run in a process of their own (this test binary started again
// as a load generator), as a district's callers would, so that the server's scheduler serves
// only the server. It reports cases/s and the p50 and p99 latency.
//
//	go test -run '^$' -bench IntakeHTTP -benchtime 20000x ./internal/cases
func BenchmarkIntakeHTTP(b *testing.B) {
	srv := apptest.Start(b, db.SQLite)
	client := srv.Login(b, "donghai.intake_operator")
	var before int
	srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases`).Scan(&before)
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "YIWANG_LOADGEN_URL="+srv.URL+"/api/v1/cases", "YIWANG_LOADGEN_TOKEN="+client.Token,
		"YIWANG_LOADGEN_N="+strconv.Itoa(b.N), "YIWANG_LOADGEN_WORKERS=64")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	b.StopTimer()
	if err != nil {
		b.Fatalf("load generator: %v", err)
	}
	var r loadResult
	if err := json.Unmarshal(out, &r); err != nil {
		b.Fatalf("load generator said %q: %v", out, err)
	}
	if r.Failed > 0 {
		b.Fatalf("%d requests failed", r.Failed)
	}
	b.ReportMetric(float64(r.Acknowledged)/r.Seconds, "cases/s")
	b.ReportMetric(r.P99ms, "p99_ms")
	b.ReportMetric(r.P50ms, "p50_ms")
	var stored int
	srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases`).Scan(&stored)
	if stored-before < r.Acknowledged {
		b.Fatalf("%d acknowledged, %d stored", r.Acknowledged, stored-before)
	}
}

type loadResult struct {
	Acknowledged, Failed int
	Seconds              float64
	P50ms, P99ms         float64
}

// TestMain turns this test binary into BenchmarkIntakeHTTP's load generator when asked to.
func TestMain(m *testing.M) {
	if url := os.Getenv("YIWANG_LOADGEN_URL"); url != "" {
		n, _ := strconv.Atoi(os.Getenv("YIWANG_LOADGEN_N"))
		workers, _ := strconv.Atoi(os.Getenv("YIWANG_LOADGEN_WORKERS"))
		r := generateLoad(url, os.Getenv("YIWANG_LOADGEN_TOKEN"), n, workers)
		json.NewEncoder(os.Stdout).Encode(r)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// generateLoad posts n hotline reports from workers concurrent clients, each on its own
// keep-alive connection, and measures each request from send to the decoded answer.
func generateLoad(url, token string, n, workers int) loadResult {
	transport := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}
	httpClient := &http.Client{Transport: transport}
	// Every report at a point of its own, as a district's reports are spread over it (some still
	// fall within a duplicate radius of others, as real ones do).
	bodies := make([][]byte, n)
	rng := rand.New(rand.NewSource(1))
	cats := []string{"06010", "06012", "06013", "06028", "09006", "09009", "07001"}
	for i := range bodies {
		bodies[i], _ = json.Marshal(map[string]any{"channel": "hotline_12345", "category_code": cats[i%len(cats)],
			"lat": 24.895 + rng.Float64()*0.03, "lng": 118.575 + rng.Float64()*0.08,
			"description": fmt.Sprintf("热线反映第%d号问题，请尽快处理", i), "reporter_phone": "13800138000"})
	}
	var next atomic.Int64
	latencies := make([][]time.Duration, workers)
	var failed atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				req, _ := http.NewRequest("POST", url, bytes.NewReader(bodies[i]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				resp, err := httpClient.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				var sink struct{ ID string }
				json.NewDecoder(resp.Body).Decode(&sink)
				resp.Body.Close()
				if resp.StatusCode != 201 || sink.ID == "" {
					failed.Add(1)
					continue
				}
				latencies[w] = append(latencies[w], time.Since(t0))
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range latencies {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := loadResult{Acknowledged: len(all), Failed: int(failed.Load()), Seconds: elapsed.Seconds()}
	if len(all) > 0 {
		r.P50ms = float64(all[len(all)/2].Microseconds()) / 1000
		r.P99ms = float64(all[len(all)*99/100].Microseconds()) / 1000
	}
	return r
}

// BenchmarkRawInsertCeiling writes the rows an intake writes (the case, its search tokens, its
// first event, its audit record and the day's counter) straight into SQLite through prepared
// statements, in transactions of 64 cases (about what the group commit gathers), without HTTP,
// validation, locating, routing or the duplicate check: the ceiling intake could reach on this
// machine with this schema.
//
//	go test -run '^$' -bench RawInsertCeiling -benchtime 20000x ./internal/cases
func BenchmarkRawInsertCeiling(b *testing.B) {
	srv := apptest.Start(b, db.SQLite)
	d := srv.App.DB
	ctx := context.Background()
	var seq int64
	d.Read.QueryRow(`SELECT coalesce(max(seq), 0) FROM audit_log`).Scan(&seq)
	b.ResetTimer()
	start := time.Now()
	for done := 0; done < b.N; {
		n := min(64, b.N-done)
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			var num int
			if err := tx.QueryRow(`INSERT INTO case_counters (district_code, day, n) VALUES ('350503','20261127',1)
				ON CONFLICT (district_code, day) DO UPDATE SET n = case_counters.n + 1 RETURNING n`).Scan(&num); err != nil {
				return err
			}
			stmts := make([]*sql.Stmt, 4)
			for i, q := range []string{`INSERT INTO cases (id, number, status, channel, kind, category_class, category_code, urgency,
					lat, lng, description, grid_code, community_code, subdistrict_code, path, follow_token_hash, stage,
					stage_started_at, stage_due, reported_at, updated_at)
					VALUES ($1,$2,'reported','hotline_12345','report','event','06010','normal',$3,$4,'热线反映问题',
					'350503001001001','350503001001','350503001','/350503/350503001/350503001001/350503001001001/',$5,'register',$6,$6,$6,$6)`,
				`INSERT INTO case_search (case_id, tokens) VALUES ($1, '热线 线反 反映 映问 问题')`,
				`INSERT INTO case_events (id, case_id, seq, action, status, actor_name, role, org_code, at, data)
					VALUES ($1,$2,1,'report','reported','donghai.intake_operator','intake_operator','350503001',$3,'{"channel":"hotline_12345"}')`,
				`INSERT INTO audit_log (seq, at, actor_name, role, org_code, org_path, action, object_type, object_id, after_summary, result, prev_hash, hash)
					VALUES ($1,$2,'donghai.intake_operator','intake_operator','350503001','/350503/350503001/','case.report','case',$3,'{}','ok',$4,$5)`} {
				st, err := tx.Prepare(q)
				if err != nil {
					return err
				}
				stmts[i] = st
			}
			for i := 0; i < n; i++ {
				id := db.NewID()
				now := time.Now().UTC()
				if _, err := stmts[0].Exec(id, fmt.Sprintf("20261127-%06d", num+i), 24.9+float64(i)/1e4, 118.6, "-"+id, now); err != nil {
					return err
				}
				if _, err := stmts[1].Exec(id); err != nil {
					return err
				}
				if _, err := stmts[2].Exec(db.NewID(), id, now); err != nil {
					return err
				}
				seq++
				if _, err := stmts[3].Exec(seq, now, id, "prev", fmt.Sprintf("%064d", seq)); err != nil {
					return err
				}
			}
			_, err := tx.Exec(`UPDATE case_counters SET n = $1 WHERE district_code = '350503' AND day = '20261127'`, num+n)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		done += n
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "cases/s")
}
