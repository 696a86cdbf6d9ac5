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
// Each job runs inside its own savepoint, so one failing job leaves the others untouched, and
// no job is acknowledged before the commit that holds it is durable.
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
// or the commit's error.
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

func (g *GroupCommitter) commit(batch []*job) {
	ctx := context.Background()
	tx, err := g.db.Write.BeginTx(ctx, nil)
	if err != nil {
		for _, j := range batch {
			j.err <- fmt.Errorf("begin transaction: %w", err)
		}
		return
	}
	g.db.cacheTx(tx)
	defer g.db.forgetTx(tx)
	results := make([]error, len(batch))
	for i, j := range batch {
		if j.ctx.Err() != nil {
			results[i] = j.ctx.Err()
			continue
		}
		if _, err := g.db.TxExec(ctx, tx, "SAVEPOINT job"); err != nil {
			results[i] = err
			continue
		}
		if err := j.fn(tx); err != nil {
			results[i] = err
			if _, rerr := g.db.TxExec(ctx, tx, "ROLLBACK TO SAVEPOINT job"); rerr != nil {
				results[i] = errors.Join(err, rerr)
			}
		}
		if _, err := g.db.TxExec(ctx, tx, "RELEASE SAVEPOINT job"); err != nil && results[i] == nil {
			results[i] = err
		}
	}
	if err := tx.Commit(); err != nil {
		for _, j := range batch {
			j.err <- fmt.Errorf("commit: %w", err)
		}
		return
	}
	for i, j := range batch {
		j.err <- results[i]
	}
}
