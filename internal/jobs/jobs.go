// Package jobs runs the platform's periodic work (SLA scans, reminders, deliveries; later
// directive deadlines and check-in lateness) once per cluster: however many yiwang nodes share
// the database, each period of each job runs on one node only. Time comes from an injected clock.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/yiwang-gov/yiwang/internal/db"
)

// Job is one periodic task. Run must be safe to repeat: a period whose node died mid-run is not
// run again, so the next period must pick up what the last one left (claims in the database).
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context, now time.Time) error
}

// Runner claims and runs due jobs. A period (a slot: the time truncated to Every) is claimed by
// inserting (job, slot) into job_runs, whose primary key lets exactly one node win it. On
// PostgreSQL the winner also holds a session advisory lock for the job while it runs (a lease),
// so a run that outlasts its period never overlaps the next one on another node.
type Runner struct {
	DB   *db.DB
	Now  func() time.Time
	Log  *slog.Logger
	Node string
	jobs []Job
	runs *prometheus.CounterVec
}

// NewRunner returns a runner for jobs, counted in reg (nil: not counted).
func NewRunner(d *db.DB, now func() time.Time, log *slog.Logger, reg prometheus.Registerer, jobs ...Job) (*Runner, error) {
	seen := map[string]bool{}
	for _, j := range jobs {
		if j.Name == "" || j.Every <= 0 || j.Run == nil || seen[j.Name] {
			return nil, fmt.Errorf("jobs: bad or repeated job %q", j.Name)
		}
		seen[j.Name] = true
	}
	sort.Slice(jobs, func(a, b int) bool { return jobs[a].Name < jobs[b].Name })
	r := &Runner{DB: d, Now: now, Log: log, Node: uuid.NewString(), jobs: jobs,
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "yiwang_job_runs_total",
			Help: "Periodic job runs on this node, by job and outcome (ok, failed)."}, []string{"job", "outcome"})}
	if reg != nil {
		reg.MustRegister(r.runs)
	}
	return r, nil
}

// Jobs lists the registered jobs by name.
func (r *Runner) Jobs() []Job { return r.jobs }

// Tick runs every job whose current period no node has claimed yet, and says which it ran.
func (r *Runner) Tick(ctx context.Context) ([]string, error) {
	var ran []string
	var errs []error
	for _, j := range r.jobs {
		now := r.Now().UTC()
		ok, err := r.runOnce(ctx, j, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("job %s: %w", j.Name, err))
		}
		if ok {
			ran = append(ran, j.Name)
		}
	}
	return ran, errors.Join(errs...)
}

// runOnce claims j's period at now and runs it; false when another node has it.
func (r *Runner) runOnce(ctx context.Context, j Job, now time.Time) (bool, error) {
	release := func() {}
	if r.DB.Engine == db.Postgres {
		conn, err := r.DB.Write.Conn(ctx)
		if err != nil {
			return false, err
		}
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(7231100, hashtext($1))`, j.Name).Scan(&got); err != nil || !got {
			conn.Close()
			return false, err
		}
		release = func() {
			// A fresh context: the lock must go even when ctx ended mid-run.
			conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(7231100, hashtext($1))`, j.Name)
			conn.Close()
		}
	}
	defer release()
	slot := now.Truncate(j.Every)
	res, err := r.DB.Exec(ctx, `INSERT INTO job_runs (job, slot, node, started_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT (job, slot) DO NOTHING`, j.Name, slot, r.Node, now)
	if err != nil {
		return false, fmt.Errorf("claim: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	runErr := j.Run(ctx, now)
	outcome, msg := "ok", ""
	if runErr != nil {
		outcome, msg = "failed", runErr.Error()
	}
	r.runs.WithLabelValues(j.Name, outcome).Inc()
	if _, err := r.DB.Exec(context.WithoutCancel(ctx), `UPDATE job_runs SET finished_at = $1, error = $2 WHERE job = $3 AND slot = $4`,
		r.Now().UTC(), msg, j.Name, slot); err != nil {
		return true, errors.Join(runErr, err)
	}
	return true, runErr
}

// Run ticks every interval until ctx ends.
func (r *Runner) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := r.Tick(ctx); err != nil && ctx.Err() == nil && r.Log != nil {
			r.Log.Warn("periodic jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Purge forgets job runs older than keep (the table would otherwise grow by a row per period).
func (r *Runner) Purge(ctx context.Context, keep time.Duration) error {
	_, err := r.DB.Exec(ctx, `DELETE FROM job_runs WHERE slot < $1`, r.Now().UTC().Add(-keep))
	return err
}
