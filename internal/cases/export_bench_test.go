package cases_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/cases/casegen"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// BenchmarkExport streams every case of a synthetic history of YIWANG_BENCH_EXPORT_CASES cases
// (default 1 000 000) through GET /api/v1/cases/export as the district leader, once as CSV and
// once as xlsx, on SQLite. The history is generated once into YIWANG_BENCH_EXPORT_DIR (default
// $TMPDIR/yiwang-bench-export) and kept for later runs. It reports rows/s, the process's peak
// resident memory during the export (VmHWM, reset before each format; it includes the database
// pages SQLite reads through its memory map) and the peak of its anonymous memory (RssAnon,
// sampled: the heap and stacks, which is what grows when rows are held), beside the resident size
// the process had before the export began (rss_before_MB: the test server and the client, after
// the heap has given back what it does not use), which the peak includes. The contract: ≥ 200 k
// rows/s as CSV, ≥ 50 k rows/s as xlsx, < 150 MB.
//
//	go test ./internal/cases -run '^$' -bench Export -benchtime 1x
func BenchmarkExport(b *testing.B) {
	n := 1000000
	if v, err := strconv.Atoi(os.Getenv("YIWANG_BENCH_EXPORT_CASES")); err == nil && v > 0 {
		n = v
	}
	srv := exportBenchServer(b, n)
	var total int
	srv.App.DB.Read.QueryRow(`SELECT count(*) FROM cases`).Scan(&total)
	leader := srv.Login(b, "district.leader")
	for _, format := range []string{"csv", "xlsx"} {
		b.Run(format, func(b *testing.B) {
			// What the process holds before the export (the test server, the client, and whatever
			// the heap kept from generating the history, returned to the system first): the peak
			// below includes it, so it is reported beside it.
			debug.FreeOSMemory()
			before := statusKB(b, "VmRSS")
			resetPeakRSS(b)
			stop := sampleAnon()
			cpu0 := cpuTime()
			start := time.Now()
			var size int64
			var lines int
			for i := 0; i < b.N; i++ {
				size, lines = download(b, leader, "/api/v1/cases/export?format="+format)
			}
			elapsed := time.Since(start)
			cpu := cpuTime() - cpu0
			peakAnon := stop()
			// Every case once, after the header (casegen writes no line breaks into descriptions).
			if format == "csv" && lines != total+1 {
				b.Fatalf("csv: %d lines for %d cases", lines, total)
			}
			if size < int64(total)*20 {
				b.Fatalf("%s: %d bytes for %d cases", format, size, total)
			}
			b.ReportMetric(float64(total)*float64(b.N)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(float64(before)/1024, "rss_before_MB")
			// The process's CPU time (both cores, the client's reading included): on a shared
			// machine rows/s falls when others compute, this does not.
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu_s/op")
			b.ReportMetric(float64(statusKB(b, "VmHWM"))/1024, "peak_rss_MB")
			b.ReportMetric(float64(peakAnon)/1024, "peak_anon_MB")
			b.ReportMetric(float64(size)/(1<<20), "file_MB")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// download fetches path and returns the body's size and its number of lines.
func download(b *testing.B, c *apptest.Client, path string) (int64, int) {
	req, err := http.NewRequest("GET", c.Base+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		raw, _ := io.ReadAll(resp.Body)
		b.Fatalf("%s: %d %s", path, resp.StatusCode, raw)
	}
	var size int64
	lines := 0
	buf := make([]byte, 256<<10)
	for {
		k, err := resp.Body.Read(buf)
		size += int64(k)
		lines += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return size, lines
		}
		if err != nil {
			b.Fatalf("%s: %v after %d bytes", path, err, size)
		}
	}
}

// exportBenchServer serves the kept history, generating what is missing of n cases first.
func exportBenchServer(b *testing.B, n int) *apptest.Server {
	dir := os.Getenv("YIWANG_BENCH_EXPORT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "yiwang-bench-export")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	srv := apptest.StartOn(b, d, nil)
	var have int
	d.Read.QueryRow(`SELECT count(*) FROM cases`).Scan(&have)
	if have < n {
		start := time.Now()
		err := casegen.Generate(ctx, d, casegen.Options{Count: n - have, Days: 730, Seed: int64(have) + 1}, func(done, total int) {
			if done%100000 == 0 {
				b.Logf("%d / %d cases in %s", done, total, time.Since(start).Round(time.Second))
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d cases into %s in %s", n-have, dir, time.Since(start).Round(time.Second))
		if _, err := d.Write.Exec(`PRAGMA analysis_limit = 2000; ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
	return srv
}

// resetPeakRSS starts VmHWM over from the current resident size (Linux ≥ 4.0, proc(5): writing
// 5 to clear_refs), so that the peak measured is the export's, not the history generator's.
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("reset peak RSS: %v", err)
	}
}

// statusKB reads a field of /proc/self/status, in kB.
func statusKB(b *testing.B, field string) int64 {
	kb, err := readStatusKB(field)
	if err != nil {
		b.Fatal(err)
	}
	return kb
}

func readStatusKB(field string) (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, io.ErrUnexpectedEOF
}

// sampleAnon samples RssAnon every 10 ms until the returned function is called, which returns
// the highest value seen (kB). The kernel keeps no peak of anonymous memory alone.
func sampleAnon() func() int64 {
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var high int64
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if kb, err := readStatusKB("RssAnon"); err == nil && kb > high {
				high = kb
			}
			select {
			case <-done:
				peak <- high
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-peak
	}
}

// BenchmarkCaseStats times the dashboard's questions over the last year of the same kept history
// (YIWANG_BENCH_EXPORT_CASES cases over two years: about half of them in the year): cases by
// category and by place for the district's leader and for one subdistrict's shift lead, and the
// overdue list. It reports each one's mean in milliseconds.
//
//	go test ./internal/cases -run '^$' -bench CaseStats -benchtime 5x
func BenchmarkCaseStats(b *testing.B) {
	n := 1000000
	if v, err := strconv.Atoi(os.Getenv("YIWANG_BENCH_EXPORT_CASES")); err == nil && v > 0 {
		n = v
	}
	srv := exportBenchServer(b, n)
	leader, lead := srv.Login(b, "district.leader"), srv.Login(b, "donghai.shift_lead")
	today := time.Now().In(time.FixedZone("CST", 8*3600))
	period := "from=" + today.AddDate(-1, 0, 1).Format(time.DateOnly) + "&to=" + today.Format(time.DateOnly)
	for _, q := range []struct {
		name string
		c    *apptest.Client
		path string
	}{
		{"district_category", leader, "stats?group=category&limit=10&" + period},
		{"district_place", leader, "stats?group=place&limit=10&" + period},
		{"subdistrict_category", lead, "stats?group=category&limit=10&" + period},
		{"subdistrict_place", lead, "stats?group=place&limit=10&" + period},
		{"district_overdue", leader, "overdue?limit=50"},
	} {
		var out struct {
			Groups []json.RawMessage
			Cases  []json.RawMessage
		}
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if st := q.c.Do("GET", "/api/v1/cases/"+q.path, nil, &out); st != 200 {
				b.Fatalf("%s: %d", q.name, st)
			}
		}
		if len(out.Groups)+len(out.Cases) == 0 {
			b.Fatalf("%s: an empty answer proves nothing", q.name)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), q.name+"_ms")
	}
}
