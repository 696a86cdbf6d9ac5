package cases_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// BenchmarkIntakeHTTP measures durable intake through the real API on SQLite: 64 concurrent
// clients post cases over HTTP; every 201 means the case is committed (group commit, WAL,
// synchronous=FULL). It reports cases/s and the p99 latency.
//
//	go test -run '^$' -bench IntakeHTTP -benchtime 20000x ./internal/cases
func BenchmarkIntakeHTTP(b *testing.B) {
	srv := apptest.Start(b, db.SQLite)
	client := srv.Login(b, "donghai.intake_operator")
	transport := &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}
	httpClient := &http.Client{Transport: transport}
	const workers = 64
	bodies := make([][]byte, 512)
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
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				req, _ := http.NewRequest("POST", srv.URL+"/api/v1/cases", bytes.NewReader(bodies[i%int64(len(bodies))]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+client.Token)
				t0 := time.Now()
				resp, err := httpClient.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				var sink struct{ ID string }
				json.NewDecoder(resp.Body).Decode(&sink)
				resp.Body.Close()
				if resp.StatusCode != 201 {
					failed.Add(1)
					continue
				}
				latencies[w] = append(latencies[w], time.Since(t0))
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	var all []time.Duration
	for _, l := range latencies {
		all = append(all, l...)
	}
	slices.Sort(all)
	if failed.Load() > 0 {
		b.Fatalf("%d requests failed", failed.Load())
	}
	if len(all) == 0 {
		return
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "cases/s")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99_ms")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50_ms")
	var stored int
	srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases`).Scan(&stored)
	if stored < len(all) {
		b.Fatalf("%d acknowledged, %d stored", len(all), stored)
	}
}

// BenchmarkRawInsertCeiling inserts the same rows (case, search tokens, event, reporter,
// counter) straight into SQLite in batches of 256 per transaction, without HTTP, validation,
// locating or routing: the ceiling intake could reach on this machine.
//
//	go test -run '^$' -bench RawInsertCeiling -benchtime 20000x ./internal/cases
func BenchmarkRawInsertCeiling(b *testing.B) {
	srv := apptest.Start(b, db.SQLite)
	d := srv.App.DB
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for done := 0; done < b.N; {
		n := min(256, b.N-done)
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			for i := 0; i < n; i++ {
				id := db.NewID()
				var num int
				if err := tx.QueryRow(`INSERT INTO case_counters (district_code, day, n) VALUES ('350503','20261127',1)
					ON CONFLICT (district_code, day) DO UPDATE SET n = case_counters.n + 1 RETURNING n`).Scan(&num); err != nil {
					return err
				}
				now := time.Now().UTC()
				if _, err := tx.Exec(`INSERT INTO cases (id, number, status, channel, kind, category_class, category_code, urgency,
					lat, lng, description, grid_code, community_code, subdistrict_code, path, follow_token_hash, stage,
					stage_started_at, stage_due, reported_at, updated_at)
					VALUES ($1,$2,'reported','hotline_12345','report','event','06010','normal',24.9,118.6,'热线反映问题',
					'350503001001001','350503001001','350503001','/350503/350503001/350503001001/350503001001001/',$3,'register',$4,$4,$4,$4)`,
					id, fmt.Sprintf("20261127-%06d", num), id, now); err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO case_search (case_id, tokens) VALUES ($1, '热线 线反 反映 映问 问题')`, id); err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO case_events (id, case_id, seq, action, status, at) VALUES ($1,$2,1,'report','reported',$3)`,
					db.NewID(), id, now); err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO case_reporters (case_id, reporter_id, follow_token_hash, reported_at) VALUES ($1,'',$1,$2)`,
					id, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += n
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rows/s")
}
