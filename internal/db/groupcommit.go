package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// GroupCommitter runs many small write transactions as one: jobs that arrive while a commit is
// under way are gathered and committed together, so a single fsync acknowledges many writes.
// One failing job leaves the others untouched (see commit), and no job is acknowledged before
// the commit that holds it is durable.
type GroupCommitter struct {
	db       *DB
	jobs     chan *job
	maxBatch int
	stop     chan struct{}
	done     sync.WaitGroup
	mu       sync.RWMutex // held for reading while a job is queued, for writing by Close
	closed   bool
}

type job struct {
	ctx context.Context
	fn  func(*sql.Tx) error
	err chan error
}

// ErrClosed is returned for jobs submitted after Close.
var ErrClosed = errors.New("db: group committer closed")

// NewGroupCommitter starts a committer that gathers at most maxBatch jobs per transaction.
func NewGroupCommitter(d *DB, maxBatch int) *GroupCommitter {
	if maxBatch < 1 {
		maxBatch = 256
	}
	g := &GroupCommitter{db: d, jobs: make(chan *job, maxBatch*4), maxBatch: maxBatch, stop: make(chan struct{})}
	g.done.Add(1)
	go g.run()
	return g
}

// Do runs fn in a shared transaction and returns once that transaction committed (nil) or fn's
// or the commit's error. fn may run more than once (when another job of its batch fails, the
// batch runs again without it), so it must derive what it writes afresh on every run.
func (g *GroupCommitter) Do(ctx context.Context, fn func(*sql.Tx) error) error {
	j := &job{ctx: ctx, fn: fn, err: make(chan error, 1)}
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return ErrClosed
	}
	select {
	case g.jobs <- j:
		g.mu.RUnlock()
	case <-ctx.Done():
		g.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued, the job's outcome is awaited even if the caller gives up: it may commit.
	return <-j.err
}

// Close finishes the queued jobs and stops.
func (g *GroupCommitter) Close() {
	g.mu.Lock()
	if !g.closed {
		g.closed = true
		close(g.stop)
	}
	g.mu.Unlock()
	g.done.Wait()
}

func (g *GroupCommitter) run() {
	defer g.done.Done()
	batch := make([]*job, 0, g.maxBatch)
	for {
		select {
		case j := <-g.jobs:
			batch = append(batch[:0], j)
		case <-g.stop:
			// Drain what was queued before Close.
			for {
				select {
				case j := <-g.jobs:
					g.commit([]*job{j})
				default:
					return
				}
			}
		}
	gather:
		for len(batch) < g.maxBatch {
			select {
			case j := <-g.jobs:
				batch = append(batch, j)
			default:
				break gather
			}
		}
		g.commit(batch)
	}
}

// commit runs the batch in one transaction. Jobs run without savepoints (a savepoint per job
// costs more than the job: FTS5 flushes its pending index at every one); when a job fails, the
// whole transaction is rolled back, that job alone is answered with its error and the others run
// again in a fresh transaction. So a job's fn may run more than once, and only its last run counts.
func (g *GroupCommitter) commit(batch []*job) {
	pending := make([]*job, 0, len(batch))
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.err <- err
			continue
		}
		pending = append(pending, j)
	}
	for len(pending) > 0 {
		failed, err := g.try(pending)
		if failed < 0 {
			for _, j := range pending {
				j.err <- err
			}
			return
		}
		pending[failed].err <- err
		pending = append(pending[:failed], pending[failed+1:]...)
	}
}

// try runs jobs in one transaction and commits it. It answers the index of the job that failed
// (after rolling everything back) with that job's error, or -1 with the outcome for them all.
func (g *GroupCommitter) try(jobs []*job) (int, error) {
	ctx := context.Background()
	tx, err := g.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return -1, fmt.Errorf("begin transaction: %w", err)
	}
	g.db.cacheTx(tx)
	defer g.db.forgetTx(tx)
	for i, j := range jobs {
		if err := j.fn(tx); err != nil {
			if rerr := tx.Rollback(); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return i, err
		}
	}
	if err := g.db.runBeforeCommit(tx); err != nil {
		tx.Rollback()
		return -1, err
	}
	if err := tx.Commit(); err != nil {
		return -1, fmt.Errorf("commit: %w", err)
	}
	return -1, nil
}
