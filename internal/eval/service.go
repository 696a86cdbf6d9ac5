package eval

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/yiwang-gov/yiwang/internal/db"
	"github.com/yiwang-gov/yiwang/internal/notify"
)

// Cases is what eval reads of the case desk (app/adapters.go fills it from package cases).
type Cases interface {
	// Histories reads the cases of ids that exist, in tx.
	Histories(ctx context.Context, tx *sql.Tx, ids []string) ([]History, error)
	// IDs lists case ids after after, in id order, at most limit.
	IDs(ctx context.Context, tx *sql.Tx, after string, limit int) ([]string, error)
	// Steps lists the steps a member of staff took in [from, to), newest first, at most limit.
	Steps(ctx context.Context, actorID string, from, to time.Time, limit int) ([]Step, error)
}

// UnitInfo is a unit as the tables show it.
type UnitInfo struct {
	Code, Name, NameEn string
	// Path is the materialised org path the unit sits at: scope is decided on it.
	Path string
}

// Directory names the units (app/adapters.go fills it from the org tree and the grids).
type Directory interface {
	// Units lists the district's units of level (any level but person).
	Units(ctx context.Context, level Level) ([]UnitInfo, error)
	// Node returns the org node of code (a person is placed at the node of their grant).
	Node(ctx context.Context, code string) (UnitInfo, bool, error)
	// Names maps user ids to the names people know them by.
	Names(ctx context.Context) (map[string]string, error)
}

// Service keeps the indicators and answers for them.
type Service struct {
	DB        *db.DB
	Outbox    *notify.Outbox
	Cases     Cases
	Directory Directory
	// Briefings are where a briefing's case lists come from and when leaders are sent one.
	Briefings Briefings
	// CheckIns are the departments' 报到 figures (package whistle); nil: none shown.
	CheckIns CheckIns
	Now      func() time.Time
	Log      *slog.Logger
	months   monthCache
}

// follower is the name of eval's cursor in the outbox.
const follower = "eval"

// batch is how many outbox events one catch-up transaction applies.
const batch = 1000

// CatchUp applies every case event committed so far to the aggregates and returns how many it
// read. Each batch is one transaction; several nodes may call it at once (the cursor row lets one
// apply a batch at a time).
func (s *Service) CatchUp(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.Outbox.Follow(ctx, follower, batch, func(ctx context.Context, tx *sql.Tx, events []notify.Stored) error {
			var ids []string
			seen := map[string]bool{}
			for _, e := range events {
				if e.ObjectKind == "case" && e.ObjectID != "" && !seen[e.ObjectID] {
					seen[e.ObjectID] = true
					ids = append(ids, e.ObjectID)
				}
			}
			return s.refresh(ctx, tx, ids)
		})
		total += n
		if err != nil || n < batch {
			return total, err
		}
	}
}

// Run keeps the aggregates up to date on this node until ctx ends: live cases reach the figures
// within a poll (a second) of their commit.
func (s *Service) Run(ctx context.Context, poll time.Duration) {
	if poll <= 0 {
		poll = time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		behind, err := s.Outbox.Behind(ctx, follower)
		if err == nil && behind {
			_, err = s.CatchUp(ctx)
		}
		if err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.Warn("indicators: catch up", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Start readies the aggregates when yiwang starts: a database that never had them (new, or
// upgraded from before indicators existed) gets them computed from its cases.
func (s *Service) Start(ctx context.Context) error {
	var started int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM outbox_cursors WHERE name = $1`, follower).Scan(&started); err != nil {
		return fmt.Errorf("indicators: %w", err)
	}
	if started > 0 {
		return nil
	}
	n, err := s.Rebuild(ctx)
	if err == nil && n > 0 && s.Log != nil {
		s.Log.Info("indicators computed from the cases", "cases", n)
	}
	return err
}

// rebuildChunk is how many cases one rebuild transaction recomputes.
const rebuildChunk = 500

// Rebuild recomputes every aggregate from the cases and their events (`yiwang eval rebuild`):
// it empties them and moves the cursor to the newest event in one transaction, then recomputes
// the cases chunk by chunk. Live changes meanwhile are applied as usual: each recomputation
// replaces what a case added, so the order does not matter. It returns how many cases it read.
func (s *Service) Rebuild(ctx context.Context) (int, error) {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.Outbox.Skip(ctx, tx, follower); err != nil {
			return err
		}
		for _, t := range []string{"eval_cases", "eval_daily", "eval_monthly", "eval_month_versions"} {
			if _, err := s.DB.TxExec(ctx, tx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("indicators rebuild: %w", err)
	}
	after, total := "", 0
	for {
		var n int
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := s.Outbox.Lock(ctx, tx, follower); err != nil {
				return err
			}
			ids, err := s.Cases.IDs(ctx, tx, after, rebuildChunk)
			if err != nil {
				return err
			}
			n = len(ids)
			if n == 0 {
				return nil
			}
			after = ids[n-1]
			return s.refresh(ctx, tx, ids)
		})
		if err != nil {
			return total, fmt.Errorf("indicators rebuild: %w", err)
		}
		total += n
		if n < rebuildChunk {
			return total, nil
		}
	}
}
